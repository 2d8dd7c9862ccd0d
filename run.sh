#!/usr/bin/env bash
# One command: set up on a fresh machine and run the main job on the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh run
. .venv/bin/activate
exec policyqa ingest "$@"

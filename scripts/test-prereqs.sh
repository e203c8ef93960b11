#!/usr/bin/env bash
# Runs before `npm test`: the scoring test compares against scikit-learn. When the system
# Python lacks it, install it into a project venv (.tools/venv) that the test prefers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2016 # JavaScript template literal, not shell
node -e 'const m = +process.versions.node.split(".")[0]; if (m < 24) { console.error(`Node.js 24 required, found ${process.version}`); process.exit(1); }'
bash "$ROOT/scripts/tools/install-helm.sh" && bash "$ROOT/scripts/tools/strimzi-crds.sh" # the Helm chart tests
VENV="$ROOT/.tools/venv"
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sklearn' 2>/dev/null; then exit 0; fi
if python3 -c 'import sklearn' 2>/dev/null; then exit 0; fi
echo "[test] installing scikit-learn into .tools/venv (reference implementation for the scoring test)"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check scikit-learn

#!/usr/bin/env bash
# Runs before `npm test`: the scoring test compares against scikit-learn, so make sure it is there.
set -euo pipefail
node -e 'const m = +process.versions.node.split(".")[0]; if (m < 24) { console.error(`Node.js 24 required, found ${process.version}`); process.exit(1); }'
if ! python3 -c 'import sklearn' 2>/dev/null; then
  echo "[test] installing scikit-learn (reference implementation for the scoring test)"
  python3 -m pip install --quiet --disable-pip-version-check scikit-learn
fi

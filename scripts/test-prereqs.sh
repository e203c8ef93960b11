#!/usr/bin/env bash
# Runs before `npm test`: the scoring test compares against scikit-learn. When the system
# Python lacks it, install it into a project venv (.tools/venv) that the test prefers. The
# protocols test runs Triton's client from .tools/triton-venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2016 # JavaScript template literal, not shell
node -e 'const m = +process.versions.node.split(".")[0]; if (m < 24) { console.error(`Node.js 24 required, found ${process.version}`); process.exit(1); }'
bash "$ROOT/scripts/tools/install-helm.sh" && bash "$ROOT/scripts/tools/strimzi-crds.sh" # the Helm chart tests
bash "$ROOT/scripts/tools/install-jaeger.sh" # the tracing test's trace backend
bash "$ROOT/scripts/tools/install-prometheus.sh" # the dashboard and alerting-rule tests
bash "$ROOT/scripts/tools/install-mlflow.sh" # the MLflow mirror test's server and Python client
# Python clients run against the gateway (Triton's, and requests): their own venv, made
# once (about 25 s and 190 MB); made again for a new pin, or when its Python is gone (a cached
# venv whose interpreter moved).
TRITON_VENV="$ROOT/.tools/triton-venv"
TRITON_REQUIREMENTS="$ROOT/test/reference/triton-requirements.txt"
if ! cmp -s "$TRITON_REQUIREMENTS" "$TRITON_VENV/requirements.txt" 2>/dev/null ||
  ! "$TRITON_VENV/bin/python" -c 'import tritonclient.grpc, tritonclient.http, requests' 2>/dev/null; then
  echo "[test] installing Triton's Python client and requests into .tools/triton-venv (run against the gateway by the e2e tests)"
  rm -rf "$TRITON_VENV"
  python3 -m venv "$TRITON_VENV"
  "$TRITON_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$TRITON_REQUIREMENTS"
  cp "$TRITON_REQUIREMENTS" "$TRITON_VENV/requirements.txt"
fi
VENV="$ROOT/.tools/venv"
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sklearn' 2>/dev/null; then exit 0; fi
if python3 -c 'import sklearn' 2>/dev/null; then exit 0; fi
echo "[test] installing scikit-learn into .tools/venv (reference implementation for the scoring test)"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check scikit-learn

#!/usr/bin/env bash
# Installs the pinned MLflow (test/reference/mlflow-requirements.txt) into .tools/mlflow-venv: the
# tracking server the MLflow spec starts and the official Python client it reads runs back with.
# Made once (850 MB; 6 minutes on a slow link, mostly download); made again for a new pin, or
# when the venv's Python is gone (a cached venv whose interpreter moved). Later runs cost a
# metadata lookup, not an import of MLflow (seconds on a busy machine).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.tools/mlflow-venv"
REQUIREMENTS="$ROOT/test/reference/mlflow-requirements.txt"
if cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2>/dev/null &&
  "$VENV/bin/python" -c 'import importlib.metadata as m; m.version("mlflow"); m.version("flask-wtf")' 2>/dev/null; then
  exit 0
fi
echo "[test] installing MLflow into .tools/mlflow-venv (the MLflow spec's tracking server and Python client)"
started=$SECONDS
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
cp "$REQUIREMENTS" "$VENV/requirements.txt"
echo "[test] $("$VENV/bin/mlflow" --version) installed in $((SECONDS - started)) s"

#!/usr/bin/env bash
# Builds dist/ (npm run build) only when it is missing or a source changed since the last
# build, so CLI entry points such as `npm run retrain` start in a second instead of compiling
# the whole project on every call. Sources: the TypeScript under apps/, libs/, scripts/ and
# bench/ (specs excluded: the build leaves them out), the tsconfig files and package-lock.json.
set -euo pipefail
ROOT="${PROJECT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
STAMP="$ROOT/dist/.build-stamp"

changed() {
  [[ -f "$STAMP" ]] || return 0
  local dirs=()
  for d in apps libs scripts bench; do [[ -d "$ROOT/$d" ]] && dirs+=("$ROOT/$d"); done
  [[ -n "$(find "${dirs[@]}" "$ROOT"/tsconfig*.json "$ROOT/package-lock.json" -newer "$STAMP" \
    \( -name '*.ts' ! -name '*.spec.ts' -o -name '*.json' \) -print -quit 2>/dev/null)" ]]
}

changed || exit 0
echo "[build] dist/ is missing or older than the sources: npm run build" >&2
mkdir -p "$ROOT/dist"
# Stamped with the time the build started: a file saved during the build triggers the next one.
touch "$STAMP.next"
(cd "$ROOT" && npm run build --silent)
mv "$STAMP.next" "$STAMP"

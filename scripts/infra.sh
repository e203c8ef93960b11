#!/usr/bin/env bash
# Local infrastructure for development and CI: real Apache Kafka and Elasticsearch run
# from their Maven Central artifacts (no Docker needed).
#
#   scripts/infra.sh up|down|status [--clean]
#
# INFRA_SERVICES selects what to manage (default: "kafka elasticsearch").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
shift || true
services="${INFRA_SERVICES:-kafka elasticsearch}"

case "$cmd" in
  up | status)
    for s in $services; do bash "$ROOT/scripts/infra/$s.sh" "$cmd" "$@"; done
    ;;
  down)
    # Reverse order; keep going so one failure does not leave the other running.
    rc=0
    for s in $(echo "$services" | tr ' ' '\n' | tac); do bash "$ROOT/scripts/infra/$s.sh" down "$@" || rc=1; done
    exit "$rc"
    ;;
  *)
    echo "usage: scripts/infra.sh up|down|status [--clean]" >&2
    exit 2
    ;;
esac

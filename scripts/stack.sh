#!/usr/bin/env bash
# The local equivalent of `docker compose up`: infrastructure plus the four services as
# separate processes against it. Logs: .infra/stack/<service>.log
#
#   scripts/stack.sh up      build, start infra and services, wait until the gateway is ready
#   scripts/stack.sh down    stop services, then infra
#
# WORKERS (default 2) inference workers share one consumer group; gateway on PORT (3000).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.infra/stack"
WORKERS="${WORKERS:-2}"
GATEWAY_PORT="${PORT:-3000}"
mkdir -p "$STATE"

start() { # name port entry [extra env...]
  local name="$1" port="$2" entry="$3"
  shift 3
  if [[ -f "$STATE/$name.pid" ]] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
    echo "[stack] $name already running"
    return
  fi
  env PORT="$port" INSTANCE_ID="$name" CODE_VERSION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo dev)" "$@" \
    nohup node "$ROOT/dist/apps/$entry/src/main.js" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  echo "[stack] $name started (pid $!, port $port, log .infra/stack/$name.log)"
}

wait_ready() { # name port
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$2/ready" >/dev/null 2>&1; then
      echo "[stack] $1 ready on :$2"
      return
    fi
    sleep 1
  done
  echo "[stack] $1 not ready after 120 s; last log lines:" >&2
  tail -n 30 "$STATE/$1.log" >&2
  exit 1
}

case "${1:-}" in
  up)
    (cd "$ROOT" && npm run build --silent)
    bash "$ROOT/scripts/infra.sh" up
    start trainer 3002 trainer
    wait_ready trainer 3002
    for i in $(seq 1 "$WORKERS"); do start "inference-worker-$i" $((3010 + i)) inference-worker; done
    start monitor 3003 monitor
    start gateway "$GATEWAY_PORT" gateway
    wait_ready gateway "$GATEWAY_PORT"
    ;;
  down)
    for f in "$STATE"/*.pid; do
      [[ -e "$f" ]] || continue
      pid="$(cat "$f")"
      kill "$pid" 2>/dev/null && echo "[stack] stopped $(basename "$f" .pid)"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$f"
    done
    bash "$ROOT/scripts/infra.sh" down
    ;;
  *)
    echo "usage: scripts/stack.sh up|down" >&2
    exit 2
    ;;
esac

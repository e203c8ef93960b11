#!/usr/bin/env bash
# The local equivalent of `docker compose up`: infrastructure plus the four services as separate
# processes, kept running by a supervisor the way compose's `restart: unless-stopped` does (a
# service that exits is started again after 0.5 s, doubling to 10 s while it keeps crashing).
#
#   scripts/stack.sh up      build, start infra and the supervisor, wait until the gateway is ready
#   scripts/stack.sh down    stop the supervisor (which stops the services gracefully), then infra
#   scripts/stack.sh status  the supervisor and each service: pid or "down"
#
# Env: WORKERS (2) inference workers share one consumer group; ports PORT (gateway, 3000),
# TRAINER_PORT (3002), MONITOR_PORT (3003), WORKER_PORT_BASE (3010: worker i on base + i);
# KAFKA_PORT (9092) and ES_PORT (9200) for the infra and the services; SHUTDOWN_TIMEOUT_MS.
# State in .infra/stack/: <service>.log, <service>.pid, supervisor.log (a JSON line per start,
# exit and restart), supervisor.pid.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.infra/stack"
GATEWAY_PORT="${PORT:-3000}"
mkdir -p "$STATE"

# Only a pid that is still our process (supervisor or a service of this checkout), never a reused one.
ours() { # pid
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$ROOT/dist/"
}

pid_of() { # name: prints the live pid from .infra/stack/<name>.pid
  local f="$STATE/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(<"$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid" && echo "$pid"
}

wait_gone() { # pid seconds
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  ! kill -0 "$1" 2>/dev/null
}

up() {
  local pid
  (cd "$ROOT" && npm run build --silent)
  bash "$ROOT/scripts/infra.sh" up
  if pid="$(pid_of supervisor)"; then
    echo "[stack] already running (supervisor pid $pid)"
  else
    rm -f "$STATE/supervisor.pid"
    # setsid: the supervisor and its services outlive this shell and its terminal.
    CODE_VERSION="${CODE_VERSION:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo dev)}" \
      nohup setsid node "$ROOT/dist/scripts/supervisor.js" >>"$STATE/supervisor.log" 2>&1 </dev/null &
    echo "[stack] supervisor started (log .infra/stack/supervisor.log, services in .infra/stack/<service>.log)"
  fi
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$GATEWAY_PORT/ready" >/dev/null 2>&1; then
      echo "[stack] gateway ready on :$GATEWAY_PORT"
      return
    fi
    sleep 0.5
  done
  echo "[stack] gateway not ready after 120 s; last supervisor and gateway log lines:" >&2
  tail -n 20 "$STATE/supervisor.log" "$STATE/gateway.log" >&2 || true
  exit 1
}

down() {
  local pid f
  if pid="$(pid_of supervisor)"; then
    kill -TERM "$pid"
    # The supervisor stops the services one by one, each within SHUTDOWN_TIMEOUT_MS + 7 s.
    if wait_gone "$pid" 120; then echo "[stack] stopped"; else kill -KILL "$pid" 2>/dev/null || true; echo "[stack] supervisor killed after 120 s"; fi
  fi
  # Services left behind by a supervisor that was killed itself.
  for f in "$STATE"/*.pid; do
    [[ -e "$f" ]] || continue
    if pid="$(pid_of "$(basename "$f" .pid)")"; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true
      echo "[stack] stopped orphaned $(basename "$f" .pid) (pid $pid)"
    fi
    rm -f "$f"
  done
  bash "$ROOT/scripts/infra.sh" down
}

status() {
  local name pid
  for name in supervisor trainer $(seq -f 'inference-worker-%g' 1 "${WORKERS:-2}") monitor gateway; do
    if pid="$(pid_of "$name")"; then echo "$name: pid $pid"; else echo "$name: down"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: scripts/stack.sh up|down|status" >&2
    exit 2
    ;;
esac

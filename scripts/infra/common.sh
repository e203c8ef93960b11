# shellcheck shell=bash
# Shared by scripts/infra/{kafka,elasticsearch}.sh: logging, pid-file handling, down, status and
# the subcommand dispatch. Sourced, not run.
#
# The calling script sets:
#   NAME          log prefix, e.g. kafka
#   PID_FILE      pid file of the server this script started
#   STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL
#   ADDR          address shown by status, e.g. 127.0.0.1:9092
#   SERVER_KIND   what answers on ADDR, for status of a server not started by us, e.g. broker
#   DATA_DIR      data directory, named in the message of down --clean
#   CLEAN_DEFAULT 1 if down should wipe CLEAN_DIRS even without --clean (the *_CLEAN env var)
#   CLEAN_DIRS    array of directories down --clean removes
# and defines:
#   cmd_up              start and wait until ready
#   pid_is_ours PID     true only if PID is alive and is our server (guards against pid reuse)
#   server_answers      true if the server answers requests on ADDR (ours or not)
#   status_detail       for a running pid: exit 0 if it answers, printing any text to append to
#                       the status line (e.g. ", health green"); exit 1 if it does not answer

log() { printf '[%s] %s\n' "$NAME" "$*"; }
err() { printf '[%s] ERROR: %s\n' "$NAME" "$*" >&2; }
die() { err "$@"; exit 1; }

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

read_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

running_pid() {
  local pid
  pid="$(read_pid)" || return 1
  pid_is_ours "$pid" || return 1
  echo "$pid"
}

stop_pid() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  log "stopped"
}

cmd_down() {
  local clean="$CLEAN_DEFAULT" pid
  [[ "${1:-}" == "--clean" ]] && clean=1
  if pid="$(running_pid)"; then
    stop_pid "$pid"
  else
    log "not running"
  fi
  rm -f "$PID_FILE"
  if [[ "$clean" == 1 ]]; then
    rm -rf "${CLEAN_DIRS[@]}"
    log "removed $DATA_DIR"
  fi
}

cmd_status() {
  local pid detail
  if pid="$(running_pid)"; then
    if detail="$(status_detail)"; then
      echo "running (pid $pid, $ADDR$detail)"
    else
      echo "starting or unresponsive (pid $pid, $ADDR not answering)"
    fi
    return 0
  fi
  if server_answers; then
    echo "running (external $SERVER_KIND on $ADDR, not managed by this script)"
    return 0
  fi
  echo "not running"
  return 1
}

dispatch() {
  case "${1:-}" in
    up) cmd_up ;;
    down) shift; cmd_down "$@" ;;
    status) cmd_status ;;
    *) echo "usage: $0 {up|down [--clean]|status}" >&2; exit 2 ;;
  esac
}

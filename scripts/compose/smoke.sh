#!/usr/bin/env bash
# npm run compose:smoke: `docker compose up` proven on a real Docker engine, as a user runs it.
#   1. an engine: the one that answers, or a private dockerd (scripts/compose/engine.sh);
#   2. Compose v2: the CLI plugin if there is one, else built from its Go module (cached);
#   3. images: the real ones where present or pullable, else the stand-ins of infra/standins;
#   4. `docker compose up --build --wait` with infra/standins/compose.smoke.yml on top, on host
#      ports of their own (6100 and up), with fresh passwords and an admin key;
#   5. scripts/compose-smoke.sh against it;
#   6. `docker compose down -v`, then the private engine stopped and its runtime folder removed:
#      only the caches stay (engine packages, Compose, stand-in images, debootstrap tarball).
# Where no engine can be had (no root for a private one, or dockerd cannot start), it says so and
# counts the smoke as skipped, never as passed. Counts go to COMPOSE_SMOKE_RESULTS as
# {"passed":n,"failed":n,"skipped":n}, which .ci/run adds to the test counts.
#
# Env: COMPOSE_SMOKE_CACHE (.tools/compose), COMPOSE_SMOKE_RESULTS (.infra/test/compose-results.json),
#      COMPOSE_SMOKE_PORT_BASE (6100: gateway +0, gRPC +1, trainer +2, monitor +3, Elasticsearch
#      +20, Kafka +92, Kibana +56; each also settable by its own variable, e.g. GATEWAY_HOST_PORT),
#      COMPOSE_SMOKE_LOGS (.infra/compose: logs of the last run, and the stack's env file while it runs),
#      COMPOSE_SMOKE_KEEP=1 (leave the stack and engine running for a look; `down` is then yours),
#      COMPOSE_VERSION (v2.29.7), GO (go on PATH).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${COMPOSE_SMOKE_CACHE:-$ROOT/.tools/compose}"
RESULTS="${COMPOSE_SMOKE_RESULTS:-$ROOT/.infra/test/compose-results.json}"
LOG_DIR="${COMPOSE_SMOKE_LOGS:-$ROOT/.infra/compose}"
COMPOSE_VERSION="${COMPOSE_VERSION:-v2.29.7}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
NAME=compose
# shellcheck source-path=SCRIPTDIR source=../infra/common.sh
source "$ROOT/scripts/infra/common.sh"
# shellcheck source-path=SCRIPTDIR source=engine.sh
source "$ROOT/scripts/compose/engine.sh"

mkdir -p "$CACHE" "$LOG_DIR" "$(dirname "$RESULTS")"
rm -f "$RESULTS"
started=$SECONDS
phase_started=$SECONDS
# phase NAME: logs how long the previous phase took.
phase() {
  log "$1 ($((SECONDS - phase_started)) s since the last step, $((SECONDS - started)) s in all)"
  phase_started=$SECONDS
}
results() { printf '{"passed":%d,"failed":%d,"skipped":%d}\n' "$1" "$2" "$3" >"$RESULTS"; }
finish_failed() {
  err "$1"
  results 0 1 0
  exit 1
}

base="${COMPOSE_SMOKE_PORT_BASE:-6100}"
[[ "$base" =~ ^[1-9][0-9]{3,4}$ ]] && ((base + 92 <= 65535)) || finish_failed "COMPOSE_SMOKE_PORT_BASE must be a port number with room for +92, got '$base'"
export GATEWAY_HOST_PORT="${GATEWAY_HOST_PORT:-$base}"
export GRPC_PORT="${GRPC_PORT:-$((base + 1))}"
export TRAINER_HOST_PORT="${TRAINER_HOST_PORT:-$((base + 2))}"
export MONITOR_HOST_PORT="${MONITOR_HOST_PORT:-$((base + 3))}"
export ELASTICSEARCH_HOST_PORT="${ELASTICSEARCH_HOST_PORT:-$((base + 20))}"
export KIBANA_HOST_PORT="${KIBANA_HOST_PORT:-$((base + 56))}"
export KAFKA_HOST_PORT="${KAFKA_HOST_PORT:-$((base + 92))}"
for port in "$GATEWAY_HOST_PORT" "$GRPC_PORT" "$TRAINER_HOST_PORT" "$MONITOR_HOST_PORT" "$ELASTICSEARCH_HOST_PORT" "$KAFKA_HOST_PORT"; do
  port_open "$port" && finish_failed "port $port on 127.0.0.1 is taken: set COMPOSE_SMOKE_PORT_BASE to a free block"
done

# shellcheck disable=SC2317 # invoked by the EXIT trap
teardown() {
  local status=$?
  if [[ "${COMPOSE_SMOKE_KEEP:-0}" == 1 && -n "${ENGINE:-}" ]]; then
    log "COMPOSE_SMOKE_KEEP=1: the stack and the engine keep running (DOCKER_HOST=${DOCKER_HOST:-default}, COMPOSE_FILE=$COMPOSE_FILE)"
    return "$status"
  fi
  if [[ -n "${COMPOSE_PROJECT_NAME:-}" ]] && docker info >/dev/null 2>&1; then
    docker compose down -v --remove-orphans >"$LOG_DIR/down.log" 2>&1 || err "docker compose down failed (log: $LOG_DIR/down.log)"
    # Old builds of the app image; the stand-ins and the current build stay as the cache.
    docker image prune -f >/dev/null 2>&1 || true
    [[ "${ENGINE:-}" == private ]] && log "image cache: $(du -sh "$ENGINE_DATA" 2>/dev/null | cut -f1) in $ENGINE_DATA"
  fi
  engine_stop
  rm -f "$LOG_DIR/smoke.env"
  log "done in $((SECONDS - started)) s"
  return "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

engine_start
case $? in
  0) ;;
  2)
    printf '[compose] SKIPPED: the compose smoke did not run: %s\n' "$ENGINE_SKIP"
    results 0 0 1
    exit 0
    ;;
  *) finish_failed "no Docker engine" ;;
esac
phase "engine ready"

# Compose v2 as a CLI plugin in a private DOCKER_CONFIG: the user's ~/.docker is left alone.
if ! docker compose version >/dev/null 2>&1; then
  plugin="$CACHE/bin/docker-compose-$COMPOSE_VERSION"
  if [[ ! -x "$plugin" ]]; then
    [[ -x "$GO" ]] || finish_failed "Go is needed to build Docker Compose $COMPOSE_VERSION (none on this machine)"
    log "building Docker Compose $COMPOSE_VERSION from the Go module proxy (first run only, minutes)"
    mkdir -p "$CACHE/gobin"
    GOBIN="$CACHE/gobin" GOFLAGS=-buildvcs=false "$GO" install -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
      "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" >"$LOG_DIR/compose-build.log" 2>&1 ||
      finish_failed "building Docker Compose failed (log: $LOG_DIR/compose-build.log)"
    mkdir -p "$CACHE/bin"
    mv "$CACHE/gobin/cmd" "$plugin"
  fi
  export DOCKER_CONFIG="$CACHE/docker-config"
  mkdir -p "$DOCKER_CONFIG/cli-plugins"
  ln -sf "$plugin" "$DOCKER_CONFIG/cli-plugins/docker-compose"
fi
log "$(docker compose version)"
phase "compose ready"

DEBOOTSTRAP_ROOT="$ENGINE_ROOT" STANDIN_CACHE="$CACHE" bash "$ROOT/infra/standins/build.sh" || finish_failed "the stand-in images could not be built"
phase "images ready"

# The stack: this checkout's compose file with the smoke's overrides, a project name of its own,
# and a private env file instead of the developer's .env.
export COMPOSE_PROJECT_NAME=iris-smoke
export COMPOSE_FILE="$ROOT/docker-compose.yml:$ROOT/infra/standins/compose.smoke.yml"
export COMPOSE_ENV_FILES="$LOG_DIR/smoke.env"
secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
# The smoke needs the elastic password and the admin key; the services' own password stays in the
# file (the retrain CLI run below would otherwise take it for its Elasticsearch settings).
ELASTIC_PASSWORD="$(secret)"
ADMIN_API_KEYS="$(secret)$(secret)"
export ELASTIC_PASSWORD ADMIN_API_KEYS
(
  umask 077
  printf 'ELASTIC_PASSWORD=%s\nELASTICSEARCH_PASSWORD=%s\nADMIN_API_KEYS=%s\nCODE_VERSION=%s\n' \
    "$ELASTIC_PASSWORD" "$(secret)" "$ADMIN_API_KEYS" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo dev)" >"$COMPOSE_ENV_FILES"
)

docker compose down -v --remove-orphans >/dev/null 2>&1 || true
log "docker compose up --build --wait (gateway on 127.0.0.1:$GATEWAY_HOST_PORT, Kafka on 127.0.0.1:$KAFKA_HOST_PORT)"
up_started=$SECONDS
if ! docker compose up --build --wait --wait-timeout 900 >"$LOG_DIR/up.log" 2>&1; then
  tail -n 30 "$LOG_DIR/up.log" >&2
  docker compose ps --all >&2 || true
  for service in $(docker compose config --services); do docker compose logs --no-color "$service" >"$LOG_DIR/$service.log" 2>&1 || true; done
  finish_failed "docker compose up --build --wait failed (logs: $LOG_DIR)"
fi
log "stack up and healthy in $((SECONDS - up_started)) s:"
docker compose ps --format 'table {{.Service}}\t{{.Status}}'
docker stats --no-stream --format '{{.MemUsage}}' $(docker compose ps -q) 2>/dev/null |
  awk '{ v = $1; if (v ~ /GiB/) { sub(/GiB/, "", v); v *= 1024 } else { sub(/MiB/, "", v) }; sum += v } END { printf "[compose] containers use %.0f MiB of memory in all\n", sum }'
phase "stack up"

# The retrain event goes in through the published EXTERNAL listener, as a host client's would:
# it reaches the broker only if Kafka advertises the port it is published on.
GATEWAY_URL="http://127.0.0.1:$GATEWAY_HOST_PORT" ELASTICSEARCH_URL="http://127.0.0.1:$ELASTICSEARCH_HOST_PORT" \
  SMOKE_KIBANA=0 SMOKE_MLFLOW=0 SMOKE_RESULTS="$RESULTS" SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-180}" \
  KAFKA_BROKERS="localhost:$KAFKA_HOST_PORT" RETRAIN_CLI="npm run --silent retrain --" \
  bash "$ROOT/scripts/compose-smoke.sh" 2>&1 | tee "$LOG_DIR/smoke.log"
status=${PIPESTATUS[0]}
phase "smoke finished"
if ((status != 0)); then
  for service in $(docker compose config --services); do docker compose logs --no-color "$service" >"$LOG_DIR/$service.log" 2>&1 || true; done
  [[ -s "$RESULTS" ]] || results 0 1 0
  err "the smoke failed (service logs: $LOG_DIR)"
  exit 1
fi
exit 0

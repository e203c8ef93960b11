#!/usr/bin/env bash
# Smoke test of a running `docker compose` stack, as CI runs it after `docker compose up --wait`
# (.github/workflows/ci.yml, job compose-smoke; npm run compose:smoke on this machine), and as
# anyone can against their own:
#   set -a; . ./.env; set +a; bash scripts/compose-smoke.sh
# 1. a prediction through the gateway, Kafka and a worker (model version 1);
# 2. a retrain over HTTP (POST /retrain, then GET /retrain/{job_id}, both admin routes) promoted to
#    version 2, which the workers then serve;
# 3. a retrain published straight to Kafka (npm run retrain -- --wait) promoted to version 3;
# 4. the first prediction found in Elasticsearch: GET /predictions/{request_id} answers with
#    "source":"elasticsearch", and the index holds exactly one document for it;
# 5. the Kibana saved objects imported by deploy/kibana/import-saved-objects.sh (skipped with
#    SMOKE_KIBANA=0, for a stack without Kibana);
# 6. the retrains in MLflow: exactly one finished run for the HTTP retrain's job, and the alias
#    champion on the model version the trainer's mirror tagged registry_version 3 (skipped with
#    SMOKE_MLFLOW=0, for a stack without MLflow);
# 7. `docker compose down` then `up`: the model and the documents are still there;
# 8. a worker's main process killed with SIGKILL: the container is restarted and healthy again.
#
# Env: GATEWAY_URL, ELASTICSEARCH_URL, KIBANA_URL (the published 127.0.0.1 ports by default, as
# GATEWAY_HOST_PORT, ELASTICSEARCH_HOST_PORT and KIBANA_HOST_PORT move them), MLFLOW_URL (likewise,
# MLFLOW_HOST_PORT), ELASTIC_PASSWORD
# (required), ADMIN_API_KEYS (the first key is used for /retrain), API_KEYS (the first key, if
# any, for prediction routes), ES_INDEX_PREFIX (mlops), SMOKE_TIMEOUT (seconds per wait, 120),
# SMOKE_SERVICES (what `up` names after the `down`; empty: every service), RETRAIN_CLI (how to
# run the retrain CLI; default: inside the trainer container), SMOKE_RESULTS (a file to write
# {"passed":n,"failed":n,"skipped":n} to, one count per step).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GATEWAY="${GATEWAY_URL:-http://127.0.0.1:${GATEWAY_HOST_PORT:-3000}}"
ES="${ELASTICSEARCH_URL:-http://127.0.0.1:${ELASTICSEARCH_HOST_PORT:-9200}}"
KIBANA="${KIBANA_URL:-http://127.0.0.1:${KIBANA_HOST_PORT:-5601}}"
MLFLOW="${MLFLOW_URL:-http://127.0.0.1:${MLFLOW_HOST_PORT:-5500}}"
TIMEOUT="${SMOKE_TIMEOUT:-120}"
PREFIX="${ES_INDEX_PREFIX:-mlops}"
: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required (the elastic user of the compose Elasticsearch)}"
ADMIN_KEY="${ADMIN_API_KEYS:-}"
ADMIN_KEY="${ADMIN_KEY%%,*}"
API_KEY="${API_KEYS:-}"
API_KEY="${API_KEY%%,*}"
read -r -a RETRAIN <<<"${RETRAIN_CLI:-docker compose exec -T trainer node dist/scripts/retrain.js}"
read -r -a SERVICES <<<"${SMOKE_SERVICES:-}"
SETOSA='{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}'
# The same split as the HTTP retrain, so the candidate matches the serving model and is promoted.
RETRAIN_PARAMS='{"test_size":0.3,"random_state":7,"reason":"manual"}'

passed=0 skipped=0 current=""
results() {
  [[ -z "${SMOKE_RESULTS:-}" ]] || printf '{"passed":%d,"failed":%d,"skipped":%d}\n' "$passed" "$1" "$skipped" >"$SMOKE_RESULTS"
}
step() {
  [[ -z "$current" ]] || passed=$((passed + 1))
  current="$*"
  printf '\n== %s\n' "$*"
}
skip() {
  printf 'skipped: %s\n' "$*"
  skipped=$((skipped + 1))
  current=""
}
fail() {
  printf 'smoke: FAILED: %s\n' "$*" >&2
  results 1
  exit 1
}
# Any other command that fails ends the smoke with its line, never silently.
trap 'fail "line $LINENO: \"$BASH_COMMAND\" exited with status $?"' ERR
command -v jq >/dev/null || fail "jq is needed"

# call METHOD URL [BODY] [KEY]: prints "<status> <body>"; the key as a Bearer token.
call() {
  local args=(-sS -o /tmp/smoke-body.$$ -w '%{http_code}' -X "$1" "$2" -H 'Content-Type: application/json')
  [[ -n "${3:-}" ]] && args+=(--data-binary "$3")
  [[ -n "${4:-}" ]] && args+=(-H "Authorization: Bearer $4")
  local status
  status="$(curl "${args[@]}")" || status=000
  printf '%s %s\n' "$status" "$(cat /tmp/smoke-body.$$ 2>/dev/null | tr -d '\n')"
  rm -f /tmp/smoke-body.$$
}
expect_status() { # expected actual body what
  [[ "$2" == "$1" ]] || fail "$4: HTTP $2, expected $1: $3"
}
# serves VERSION: waits until a prediction is answered by that model version.
serves() {
  local deadline=$((SECONDS + TIMEOUT)) status body
  until read -r status body < <(call POST "$GATEWAY/predict" "$SETOSA" "$API_KEY") &&
    [[ "$status" == 200 && "$(jq -r .model_version <<<"$body")" == "$1" ]]; do
    ((SECONDS < deadline)) || fail "workers still not serving version $1 after ${TIMEOUT}s: HTTP $status $body"
    sleep 2
  done
  echo "workers serve version $1"
}
# in_elasticsearch: the first prediction is served from Elasticsearch and indexed exactly once.
in_elasticsearch() {
  local deadline=$((SECONDS + TIMEOUT)) status body count
  until read -r status body < <(call GET "$GATEWAY/predictions/$request_id" "" "$API_KEY") &&
    [[ "$status" == 200 && "$(jq -r .source <<<"$body")" == elasticsearch ]]; do
    ((SECONDS < deadline)) || fail "GET /predictions/$request_id never answered from Elasticsearch within ${TIMEOUT}s: HTTP $status $body"
    sleep 2
  done
  echo "$body"
  count="$(curl -sS -u "elastic:$ELASTIC_PASSWORD" "$ES/$PREFIX-predictions-*/_count" -H 'Content-Type: application/json' \
    --data-binary "{\"query\":{\"term\":{\"request_id\":\"$request_id\"}}}" | jq -r .count)"
  [[ "$count" == 1 ]] || fail "expected exactly one prediction document for $request_id in $PREFIX-predictions-*, found $count"
  echo "exactly one document for $request_id"
}

step "prediction through gateway -> Kafka -> worker"
read -r status body < <(call POST "$GATEWAY/predict" "$SETOSA" "$API_KEY")
expect_status 200 "$status" "$body" "POST /predict"
echo "$body"
[[ "$(jq -r '.status + " " + .prediction + " " + (.model_version | tostring)' <<<"$body")" == "success setosa 1" ]] ||
  fail "POST /predict: expected a success, setosa, by model version 1: $body"
request_id="$(jq -r .request_id <<<"$body")"

step "retrain over HTTP to version 2"
read -r status body < <(call POST "$GATEWAY/retrain" "$RETRAIN_PARAMS" "$ADMIN_KEY")
expect_status 202 "$status" "$body" "POST /retrain"
job_id="$(jq -r .job_id <<<"$body")"
echo "job $job_id accepted"
deadline=$((SECONDS + TIMEOUT))
while :; do
  # An admin route like POST /retrain: the prediction key would get 401 on every poll.
  read -r status body < <(call GET "$GATEWAY/retrain/$job_id" "" "$ADMIN_KEY")
  run_status="$(jq -r '.status // empty' <<<"$body" 2>/dev/null || true)"
  case "$run_status" in
    promoted) break ;;
    rejected | failed) fail "retrain $job_id ended $run_status: $body" ;;
  esac
  [[ "$status" == 200 ]] || fail "GET /retrain/$job_id: HTTP $status, expected 200: $body"
  ((SECONDS < deadline)) || fail "retrain $job_id not finished within ${TIMEOUT}s (last: HTTP $status $body)"
  sleep 2
done
[[ "$(jq -r .model_version <<<"$body")" == 2 ]] || fail "retrain promoted a version other than 2: $body"
echo "promoted: version 2, accuracy $(jq -r .metrics.accuracy <<<"$body")"
serves 2

step "retrain published straight to Kafka, to version 3"
out="$("${RETRAIN[@]}" --test-size 0.3 --random-state 7 --reason manual --wait --timeout "$TIMEOUT" 2>&1)" ||
  fail "the retrain CLI (${RETRAIN[*]}) did not end promoted: $(tr '\n' ' ' <<<"$out")"
echo "$out"
grep -qx 'model_version: 3' <<<"$out" || fail "the Kafka retrain promoted a version other than 3: $(tr '\n' ' ' <<<"$out")"
serves 3

step "prediction $request_id in Elasticsearch"
in_elasticsearch

step "Kibana saved objects"
if [[ "${SMOKE_KIBANA:-1}" == 0 ]]; then
  skip "SMOKE_KIBANA=0: this stack runs no Kibana"
else
  # The import kibana-init runs, from here, so a failure shows Kibana's answer.
  KIBANA_URL="$KIBANA" KIBANA_USERNAME=elastic KIBANA_PASSWORD="$ELASTIC_PASSWORD" INDEX_PREFIX="$PREFIX" \
    SAVED_OBJECTS_FILE="$ROOT/deploy/kibana/saved-objects.ndjson" IMPORT_ATTEMPTS=1 \
    sh "$ROOT/deploy/kibana/import-saved-objects.sh" || fail "Kibana import of deploy/kibana/saved-objects.ndjson"
  body="$(curl -sS -u "elastic:$ELASTIC_PASSWORD" "$KIBANA/api/saved_objects/index-pattern/$PREFIX-predictions")" || body=""
  [[ "$(jq -r '.attributes.title // empty' <<<"$body" 2>/dev/null)" == "$PREFIX-predictions-*" ]] ||
    fail "Kibana has no data view $PREFIX-predictions titled $PREFIX-predictions-*: $body"
  echo "data view $PREFIX-predictions charts $PREFIX-predictions-*"
fi

step "retrains in MLflow"
if [[ "${SMOKE_MLFLOW:-1}" == 0 ]]; then
  skip "SMOKE_MLFLOW=0: this stack runs no MLflow"
else
  deadline=$((SECONDS + TIMEOUT))
  experiment=""
  until [[ -n "$experiment" ]]; do
    experiment="$(curl -sS "$MLFLOW/api/2.0/mlflow/experiments/get-by-name?experiment_name=iris-platform" | jq -r '.experiment.experiment_id // empty' 2>/dev/null || true)"
    [[ -n "$experiment" ]] && break
    ((SECONDS < deadline)) || fail "MLflow has no experiment iris-platform after ${TIMEOUT}s"
    sleep 2
  done
  until runs="$(curl -sS -X POST "$MLFLOW/api/2.0/mlflow/runs/search" -H 'Content-Type: application/json' \
    --data-binary "{\"experiment_ids\":[\"$experiment\"],\"filter\":\"tags.job_id = '$job_id'\"}")" &&
    [[ "$(jq -r '[.runs[]? | .info.status] | join(",")' <<<"$runs")" == FINISHED ]]; do
    (("$(jq -r '.runs | length' <<<"$runs" 2>/dev/null || echo 0)" <= 1)) || fail "MLflow holds more than one run for job $job_id: $runs"
    ((SECONDS < deadline)) || fail "MLflow has no finished run for job $job_id after ${TIMEOUT}s: $runs"
    sleep 2
  done
  until champion="$(curl -sS "$MLFLOW/api/2.0/mlflow/registered-models/alias?name=iris&alias=champion")" &&
    [[ "$(jq -r '.model_version.tags[]? | select(.key == "registry_version") | .value' <<<"$champion")" == 3 ]]; do
    ((SECONDS < deadline)) || fail "models:/iris@champion is not registry version 3 after ${TIMEOUT}s: $champion"
    sleep 2
  done
  echo "one finished run for $job_id; models:/iris@champion is MLflow version $(jq -r .model_version.version <<<"$champion") = registry version 3"
fi

step "docker compose down, then up: the model and the documents are kept"
docker compose down
docker compose up --wait --wait-timeout "$((TIMEOUT * 5))" --no-build "${SERVICES[@]}"
serves 3
in_elasticsearch

step "a worker killed with SIGKILL is restarted"
# Not `| head -n 1`: under pipefail, docker's SIGPIPE when head stops reading fails the step.
worker="$(docker compose ps -q inference-worker)"
worker="${worker%%$'\n'*}"
[[ -n "$worker" ]] || fail "no inference-worker container"
restarts="$(docker inspect -f '{{.RestartCount}}' "$worker")"
# PID 1 is tini (init: true), whose command line names the worker too: kill the node it runs.
# The container stops with it, so `docker exec` may lose its own exit status: the kill is judged
# by what the script printed.
killed="$(docker exec "$worker" node -e "
  const { readdirSync, readFileSync } = require('node:fs');
  const pid = readdirSync('/proc').find((p) => {
    if (!/^\d+$/.test(p) || +p === process.pid) return false;
    const argv = readFileSync('/proc/' + p + '/cmdline', 'utf8').split('\\0');
    // Node's own flags (the heap limits) come before the entry point.
    return argv[0].endsWith('node') && argv.slice(1).includes('dist/apps/inference-worker/src/main.js');
  });
  if (!pid) { console.error('no worker process found'); process.exit(1); }
  process.kill(+pid, 'SIGKILL');
  console.log('killed worker process ' + pid);
" 2>&1)" || true
echo "$killed"
[[ "$killed" == *"killed worker process "* ]] || fail "could not kill the worker's node process: $killed"
deadline=$((SECONDS + TIMEOUT))
until [[ "$(docker inspect -f '{{.RestartCount}} {{.State.Health.Status}}' "$worker")" == "$((restarts + 1)) healthy" ]]; do
  ((SECONDS < deadline)) || fail "worker $worker not restarted and healthy within ${TIMEOUT}s: $(docker inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.Health.Status}}' "$worker")"
  sleep 2
done
echo "restarted (restart count $((restarts + 1))) and healthy"
serves 3

passed=$((passed + 1))
results 0
printf '\nsmoke: passed (%d steps, %d skipped)\n' "$passed" "$skipped"

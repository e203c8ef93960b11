#!/usr/bin/env bash
# Smoke test of a running `docker compose` stack, as CI runs it after `docker compose up --wait`
# (.github/workflows/ci.yml, job compose-smoke), and as anyone can against their own:
#   set -a; . ./.env; set +a; bash scripts/compose-smoke.sh
# 1. a prediction through the gateway, Kafka and a worker (model version 1);
# 2. a retrain (POST /retrain, then GET /retrain/{job_id}) promoted to version 2, which the
#    workers then serve;
# 3. the first prediction found in Elasticsearch: GET /predictions/{request_id} answers with
#    "source":"elasticsearch", and the index holds exactly one document for it;
# 4. the Kibana saved objects imported, Kibana's import API answering success for every object;
# 5. the retrain in MLflow: exactly one finished run for its job, and the alias champion on the
#    model version the trainer's mirror tagged registry_version 2.
#
# Env: GATEWAY_URL, ELASTICSEARCH_URL, KIBANA_URL, MLFLOW_URL (the published 127.0.0.1 ports by default),
# ELASTIC_PASSWORD (required), ADMIN_API_KEYS (the first key is used for /retrain), API_KEYS
# (the first key, if any, for prediction routes), SMOKE_TIMEOUT (seconds per wait, 120).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GATEWAY="${GATEWAY_URL:-http://127.0.0.1:3000}"
ES="${ELASTICSEARCH_URL:-http://127.0.0.1:9200}"
KIBANA="${KIBANA_URL:-http://127.0.0.1:5601}"
MLFLOW="${MLFLOW_URL:-http://127.0.0.1:5500}"
TIMEOUT="${SMOKE_TIMEOUT:-120}"
: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required (the elastic user of the compose Elasticsearch)}"
ADMIN_KEY="${ADMIN_API_KEYS:-}"
ADMIN_KEY="${ADMIN_KEY%%,*}"
API_KEY="${API_KEYS:-}"
API_KEY="${API_KEY%%,*}"
SAVED_OBJECTS="$ROOT/deploy/kibana/saved-objects.ndjson"
SETOSA='{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}'

step() { printf '\n== %s\n' "$*"; }
fail() {
  printf 'smoke: FAILED: %s\n' "$*" >&2
  exit 1
}
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

step "prediction through gateway -> Kafka -> worker"
read -r status body < <(call POST "$GATEWAY/predict" "$SETOSA" "$API_KEY")
expect_status 200 "$status" "$body" "POST /predict"
echo "$body"
[[ "$(jq -r '.status + " " + .prediction + " " + (.model_version | tostring)' <<<"$body")" == "success setosa 1" ]] ||
  fail "POST /predict: expected a success, setosa, by model version 1: $body"
request_id="$(jq -r .request_id <<<"$body")"

step "retrain to version 2"
read -r status body < <(call POST "$GATEWAY/retrain" '{"test_size":0.3,"random_state":7,"reason":"manual"}' "$ADMIN_KEY")
expect_status 202 "$status" "$body" "POST /retrain"
job_id="$(jq -r .job_id <<<"$body")"
echo "job $job_id accepted"
deadline=$((SECONDS + TIMEOUT))
while :; do
  read -r status body < <(call GET "$GATEWAY/retrain/$job_id" "" "$API_KEY")
  run_status="$(jq -r '.status // empty' <<<"$body" 2>/dev/null || true)"
  case "$run_status" in
    promoted) break ;;
    rejected | failed) fail "retrain $job_id ended $run_status: $body" ;;
  esac
  ((SECONDS < deadline)) || fail "retrain $job_id not finished within ${TIMEOUT}s (last: HTTP $status $body)"
  sleep 2
done
[[ "$(jq -r .model_version <<<"$body")" == 2 ]] || fail "retrain promoted a version other than 2: $body"
echo "promoted: version 2, accuracy $(jq -r .metrics.accuracy <<<"$body")"
deadline=$((SECONDS + TIMEOUT))
until read -r status body < <(call POST "$GATEWAY/predict" "$SETOSA" "$API_KEY") &&
  [[ "$status" == 200 && "$(jq -r .model_version <<<"$body")" == 2 ]]; do
  ((SECONDS < deadline)) || fail "workers still not serving version 2 after ${TIMEOUT}s: HTTP $status $body"
  sleep 2
done
echo "workers serve version 2"

step "prediction $request_id in Elasticsearch"
deadline=$((SECONDS + TIMEOUT))
until read -r status body < <(call GET "$GATEWAY/predictions/$request_id" "" "$API_KEY") &&
  [[ "$status" == 200 && "$(jq -r .source <<<"$body")" == elasticsearch ]]; do
  ((SECONDS < deadline)) || fail "GET /predictions/$request_id never answered from Elasticsearch within ${TIMEOUT}s: HTTP $status $body"
  sleep 2
done
echo "$body"
count="$(curl -sS -u "elastic:$ELASTIC_PASSWORD" "$ES/mlops-predictions-*/_count" -H 'Content-Type: application/json' \
  --data-binary "{\"query\":{\"term\":{\"request_id\":\"$request_id\"}}}" | jq -r .count)"
[[ "$count" == 1 ]] || fail "expected exactly one prediction document for $request_id in mlops-predictions-*, found $count"
echo "exactly one document for $request_id"

step "Kibana saved objects"
objects="$(grep -c . "$SAVED_OBJECTS")"
response="$(curl -sS -u "elastic:$ELASTIC_PASSWORD" -X POST "$KIBANA/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: true' --form "file=@$SAVED_OBJECTS")"
[[ "$(jq -r '(.success | tostring) + " " + (.successCount | tostring)' <<<"$response")" == "true $objects" ]] ||
  fail "Kibana import: expected success for all $objects objects: $response"
echo "Kibana imported all $objects saved objects"

step "retrain $job_id in MLflow"
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
  [[ "$(jq -r '.model_version.tags[]? | select(.key == "registry_version") | .value' <<<"$champion")" == 2 ]]; do
  ((SECONDS < deadline)) || fail "models:/iris@champion is not registry version 2 after ${TIMEOUT}s: $champion"
  sleep 2
done
echo "one finished run for $job_id; models:/iris@champion is MLflow version $(jq -r .model_version.version <<<"$champion") = registry version 2"

printf '\nsmoke: passed\n'

#!/bin/sh
# One-shot Elasticsearch security set-up for docker compose (service es-init), run as the
# `elastic` superuser once Elasticsearch is healthy:
#   1. the role iris_platform: what the monitor and gateway need on the ${INDEX_PREFIX}-* indices
#      (index templates, create daily indices, bulk write, search), nothing else;
#   2. the user APP_USERNAME with that role and APP_PASSWORD (ELASTICSEARCH_USERNAME/PASSWORD
#      of the services);
#   3. a service account token for Kibana (elastic/kibana), written to KIBANA_TOKEN_FILE,
#      which the kibana service reads at start. A token that still authenticates is kept, so
#      a second `docker compose up` does not pull the credential from under a running Kibana.
# Idempotent: roles and users are PUT (created or updated). Passwords reach curl on stdin
# (curl -K -), never on its command line.
set -eu

ES_URL="${ES_URL:-http://elasticsearch:9200}"
INDEX_PREFIX="${INDEX_PREFIX:-mlops}"
APP_USERNAME="${APP_USERNAME:-iris}"
TOKEN_FILE="${KIBANA_TOKEN_FILE:-/run/kibana-token/token}"
TOKEN_NAME="${KIBANA_TOKEN_NAME:-compose}"
: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is not set (see .env.example)}"
: "${APP_PASSWORD:?APP_PASSWORD is not set (ELASTICSEARCH_PASSWORD in .env)}"

# Quotes and backslashes escaped for a double-quoted string (curl config and JSON alike).
quote() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; }

# es METHOD PATH [BODY]: as elastic; prints the answer, fails on an HTTP error status. The
# body goes through a private temporary file, as it may hold a password.
es() {
  method="$1" path="$2" body="${3:-}"
  set --
  if [ -n "$body" ]; then
    body_file="$(umask 077 && mktemp)"
    printf '%s' "$body" > "$body_file"
    set -- --data-binary "@$body_file"
  fi
  status=0
  printf 'user = "elastic:%s"\n' "$(quote "$ELASTIC_PASSWORD")" |
    curl -sS --fail-with-body -K - -X "$method" "$ES_URL$path" -H 'Content-Type: application/json' "$@" || status=$?
  [ -z "$body" ] || rm -f "$body_file"
  return "$status"
}

es PUT /_security/role/iris_platform "{
  \"cluster\": [\"manage_index_templates\", \"monitor\"],
  \"indices\": [{
    \"names\": [\"$INDEX_PREFIX-*\"],
    \"privileges\": [\"create_index\", \"auto_configure\", \"write\", \"read\", \"view_index_metadata\"]
  }]
}" >/dev/null
echo "es-init: role iris_platform grants ${INDEX_PREFIX}-* to the services"

es PUT "/_security/user/$APP_USERNAME" "{\"password\": \"$(quote "$APP_PASSWORD")\", \"roles\": [\"iris_platform\"]}" >/dev/null
echo "es-init: user $APP_USERNAME has the role iris_platform"

token_works() {
  [ -s "$TOKEN_FILE" ] || return 1
  printf 'header = "Authorization: Bearer %s"\n' "$(cat "$TOKEN_FILE")" |
    curl -sS -f -o /dev/null -K - "$ES_URL/_security/_authenticate"
}

if token_works; then
  echo "es-init: the Kibana service token in $TOKEN_FILE still authenticates; kept"
  exit 0
fi
# A token of this name left by an earlier run whose file was lost: replace it.
es DELETE "/_security/service/elastic/kibana/credential/token/$TOKEN_NAME" >/dev/null 2>&1 || true
response="$(es POST "/_security/service/elastic/kibana/credential/token/$TOKEN_NAME")"
token="$(printf '%s' "$response" | sed -n 's/.*"value" *: *"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "es-init: no token in the answer: $response" >&2; exit 1; }
# Kibana runs as uid 1000 in group 0: readable by the group, by nobody else.
umask 027
mkdir -p "$(dirname "$TOKEN_FILE")"
printf '%s' "$token" > "$TOKEN_FILE"
echo "es-init: created the Kibana service token elastic/kibana/$TOKEN_NAME in $TOKEN_FILE"

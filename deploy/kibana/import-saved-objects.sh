#!/bin/sh
# One-shot Kibana set-up (compose service kibana-init, the Helm chart's kibana-import Job):
# imports the data views, saved searches, Lens visualizations and the overview dashboard.
# overwrite=true makes it safe to run on every `docker compose up` or `helm upgrade`.
#
# KIBANA_USERNAME / KIBANA_PASSWORD: basic auth when Kibana has security on (they reach curl as
# its config, never on its command line); KIBANA_CA_FILE: the CA of Kibana's HTTPS certificate;
# INDEX_PREFIX: the services' ES_INDEX_PREFIX (mlops), which the objects are named after.
# The import API answers 200 even when objects fail, so success is read from the body.
# Retried (IMPORT_ATTEMPTS times, IMPORT_RETRY_SECONDS apart) only while Kibana is unreachable,
# starting (5xx) or throttling (408, 429); any other answer is final, as a retry would get the same.
set -eu

KIBANA_URL="${KIBANA_URL:-http://kibana:5601}"
FILE="${SAVED_OBJECTS_FILE:-/deploy/kibana/saved-objects.ndjson}"
ATTEMPTS="${IMPORT_ATTEMPTS:-30}"
PAUSE="${IMPORT_RETRY_SECONDS:-5}"
PREFIX="${INDEX_PREFIX:-mlops}"

# An Elasticsearch index name part; also keeps the sed below free of special characters.
case "$PREFIX" in
  '' | [._-]* | *[!a-z0-9._-]*)
    echo "kibana-init: INDEX_PREFIX must be lower-case letters, digits, '.', '_' or '-', not starting with a symbol; got '$PREFIX'" >&2
    exit 1
    ;;
esac

# A hung connection must not stall the job: bounded connect and whole-request times.
set -- -sS --connect-timeout 10 --max-time 120 -w '\n%{http_code}' -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: true' --form 'file=@-;filename=saved-objects.ndjson'
[ -z "${KIBANA_CA_FILE:-}" ] || set -- "$@" --cacert "$KIBANA_CA_FILE"

quote() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; }
# curl config: the credentials, or nothing.
credentials() {
  [ -n "${KIBANA_USERNAME:-}" ] || return 0
  printf 'user = "%s:%s"\n' "$(quote "$KIBANA_USERNAME")" "$(quote "${KIBANA_PASSWORD:-}")"
}
# The file is written for the prefix mlops: every id and title that starts with it (the data views,
# their index patterns, and the objects that chart them) follows INDEX_PREFIX instead, so two
# prefixes keep two sets of objects rather than one overwriting the other. It reaches curl on
# stdin and the credentials on descriptor 3: no temporary file (the Helm Job's root is read-only).
post() {
  credentials | { sed "s/\"mlops-/\"$PREFIX-/g" "$FILE" | curl -K /dev/fd/3 "$@"; } 3<&0
}

i=1
while :; do
  output="$(post "$@")" || true
  status="$(printf '%s' "$output" | tail -n 1)"
  response="$(printf '%s' "$output" | sed '$d')"
  case "$status" in
    200)
      case "$response" in
        *'"success":true'*)
          echo "kibana-init: imported $(grep -c . "$FILE") saved objects for the indices $PREFIX-* from $FILE"
          exit 0
          ;;
      esac
      echo "kibana-init: Kibana refused the objects (not retried): $response" >&2
      exit 1
      ;;
    408 | 429 | 5??) ;;
    [1-4]??)
      echo "kibana-init: HTTP $status (not retried): $response" >&2
      exit 1
      ;;
  esac
  echo "kibana-init: attempt $i/$ATTEMPTS failed: HTTP ${status:-000} ${response:-no response}" >&2
  [ "$i" -lt "$ATTEMPTS" ] || exit 1
  i=$((i + 1))
  sleep "$PAUSE"
done

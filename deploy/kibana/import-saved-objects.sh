#!/bin/sh
# One-shot Kibana set-up (compose service kibana-init, the Helm chart's kibana-import Job):
# imports the data views, saved searches, Lens visualizations and the overview dashboard.
# overwrite=true makes it safe to run on every `docker compose up` or `helm upgrade`.
#
# KIBANA_USERNAME / KIBANA_PASSWORD: basic auth when Kibana has security on (they reach curl on
# stdin, never on its command line); KIBANA_CA_FILE: the CA of Kibana's HTTPS certificate.
# The import API answers 200 even when objects fail, so success is read from the body.
set -eu

KIBANA_URL="${KIBANA_URL:-http://kibana:5601}"
FILE="${SAVED_OBJECTS_FILE:-/deploy/kibana/saved-objects.ndjson}"
ATTEMPTS="${IMPORT_ATTEMPTS:-30}"

set -- -sS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: true' --form "file=@$FILE"
[ -z "${KIBANA_CA_FILE:-}" ] || set -- "$@" --cacert "$KIBANA_CA_FILE"

quote() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; }
# curl config on stdin: the credentials, or nothing.
credentials() {
  [ -n "${KIBANA_USERNAME:-}" ] || return 0
  printf 'user = "%s:%s"\n' "$(quote "$KIBANA_USERNAME")" "$(quote "${KIBANA_PASSWORD:-}")"
}

i=1
while :; do
  if response="$(credentials | curl -K - "$@")"; then
    case "$response" in
      *'"success":true'*)
        echo "kibana-init: imported $(grep -c . "$FILE") saved objects from $FILE"
        exit 0
        ;;
    esac
  fi
  echo "kibana-init: attempt $i/$ATTEMPTS failed: ${response:-no response}" >&2
  [ "$i" -lt "$ATTEMPTS" ] || exit 1
  i=$((i + 1))
  sleep 5
done

#!/bin/sh
# One-shot Kibana set-up for docker compose (service kibana-init): imports the data views,
# saved searches, Lens visualizations and the overview dashboard. overwrite=true makes it
# safe to run on every `docker compose up`.
#
# The import API answers 200 even when objects fail, so success is read from the body.
set -eu

KIBANA_URL="${KIBANA_URL:-http://kibana:5601}"
FILE="${SAVED_OBJECTS_FILE:-/deploy/kibana/saved-objects.ndjson}"
ATTEMPTS="${IMPORT_ATTEMPTS:-30}"

i=1
while :; do
  if response="$(curl -sS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
    -H 'kbn-xsrf: true' --form "file=@$FILE")"; then
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

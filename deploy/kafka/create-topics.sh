#!/bin/sh
# One-shot topic set-up for docker compose (service kafka-init). The services create their
# topics on start as well; doing it here first means partition counts and compaction are
# fixed before any producer can auto-create a topic with broker defaults.
#
# TOPICS: whitespace-separated NAME:PARTITIONS[:compact] (set in docker-compose.yml).
set -eu

BOOTSTRAP="${BOOTSTRAP_SERVER:-kafka:9092}"
TOOLS="${KAFKA_BIN:-/opt/kafka/bin}"

[ -n "${TOPICS:-}" ] || { echo "kafka-init: TOPICS is empty" >&2; exit 1; }

# Each kafka-topics.sh call starts a JVM (seconds): list once, and create only what is missing, so
# a restart on kept volumes makes two calls instead of one per topic.
existing="$("$TOOLS/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --list)"

for spec in $TOPICS; do
  name="${spec%%:*}"
  if printf '%s\n' "$existing" | grep -qxF "$name"; then
    echo "kafka-init: $name exists"
    continue
  fi
  rest="${spec#*:}"
  partitions="${rest%%:*}"
  policy=delete
  case "$rest" in *:compact) policy=compact ;; esac
  "$TOOLS/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor 1 --config "cleanup.policy=$policy"
done

"$TOOLS/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --describe

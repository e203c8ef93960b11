#!/bin/bash
# The official image's start: KAFKA_* variables to server.properties, storage formatted with
# CLUSTER_ID once (a kept volume is left as it is), then the broker in the foreground.
set -euo pipefail
: "${CLUSTER_ID:?CLUSTER_ID is required (kafka-storage format)}"
props=/opt/kafka/config/server.properties
: >"$props"
for var in $(compgen -e); do
  case "$var" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS | KAFKA_GC_LOG_OPTS | KAFKA_JMX_OPTS) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key="${var#KAFKA_}"
  key="${key,,}"
  key="${key//___/-}"
  key="${key//__/@}"
  key="${key//_/.}"
  key="${key//@/_}"
  printf '%s=%s\n' "$key" "${!var}" >>"$props"
done
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
export KAFKA_HEAP_OPTS
/opt/kafka/bin/kafka-run-class.sh kafka.tools.StorageTool format --cluster-id "$CLUSTER_ID" --config "$props" --ignore-formatted
exec /opt/kafka/bin/kafka-run-class.sh kafka.Kafka "$props"

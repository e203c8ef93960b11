#!/bin/sh
# As the official kafka-run-class.sh: a tool's JVM gets KAFKA_HEAP_OPTS, else 256 MB.
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_OPTS:-} -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.yaml \
  -cp '/opt/kafka/libs/*' "$@"

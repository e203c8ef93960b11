#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, no ZooKeeper), resolved from Maven Central.
#
#   scripts/infra/kafka.sh up              start (idempotent) and wait until ready
#   scripts/infra/kafka.sh down [--clean]  stop (idempotent); --clean or KAFKA_CLEAN=1 wipes data
#   scripts/infra/kafka.sh status          print running / not running (exit 0 / 1)
#
# Listeners: PLAINTEXT on KAFKA_PORT (no auth, what the services use by default) and SASL_SSL on
# KAFKA_SASL_SSL_PORT (TLS with a local CA at .infra/kafka/tls/ca.pem; SCRAM-SHA-512 and PLAIN,
# one test user KAFKA_TEST_SASL_USER / KAFKA_TEST_SASL_PASSWORD for both mechanisms; `up` on a
# running broker updates the SCRAM password, the PLAIN one changes at the next start).
#
# Env: KAFKA_PORT (9092), KAFKA_SASL_SSL_PORT (9094), KAFKA_CONTROLLER_PORT (9093),
#      KAFKA_TEST_SASL_USER (iris-test), KAFKA_TEST_SASL_PASSWORD (iris-test-secret),
#      KAFKA_READY_TIMEOUT (120 s), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), JAVA_HOME (else java on PATH),
#      KAFKA_STATE_DIR (.infra/kafka: data, logs, TLS material, pid; a second broker from the same
#      checkout, e.g. the bench's, needs its own).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONF_DIR="$ROOT/infra/kafka"
STATE_DIR="${KAFKA_STATE_DIR:-$ROOT/.infra/kafka}"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
TLS_DIR="$STATE_DIR/tls"
# Which SCRAM user (cluster id, name, password digest) the current data directory already holds.
SCRAM_MARKER="$STATE_DIR/scram-user"
PID_FILE="$STATE_DIR/kafka.pid"
OUT_FILE="$LOG_DIR/server.out"

PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9094}"
SASL_USER="${KAFKA_TEST_SASL_USER:-iris-test}"
SASL_PASSWORD="${KAFKA_TEST_SASL_PASSWORD:-iris-test-secret}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-120}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
STOP_TIMEOUT=30
MAIN_CLASS="kafka.Kafka"

NAME=kafka
ADDR="127.0.0.1:$PORT"
SERVER_KIND=broker
CLEAN_DEFAULT="${KAFKA_CLEAN:-0}"
CLEAN_DIRS=("$DATA_DIR")
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# They are pasted into server.properties, a JAAS line and a --add-scram argument.
[[ "$SASL_USER" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_TEST_SASL_USER may only hold letters, digits, '.', '_' and '-'"
[[ "$SASL_PASSWORD" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_TEST_SASL_PASSWORD may only hold letters, digits, '.', '_' and '-'"

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    [[ -x "$JAVA_HOME/bin/java" ]] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
    echo "$JAVA_HOME/bin/java"
  else
    command -v java >/dev/null 2>&1 || die "java not found (set JAVA_HOME or put java on PATH)"
    command -v java
  fi
}

# Sends a Kafka ApiVersions v0 request and checks the reply carries our correlation id
# and error_code 0, i.e. a Kafka broker (not just any socket) is serving requests.
server_answers() {
  port_open "$PORT" || return 1
  local reply
  reply="$(timeout 5 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
    # size=15 | api_key=18 | api_version=0 | correlation_id=0x4b414641 | client_id="probe"
    printf "\x00\x00\x00\x0f\x00\x12\x00\x00\x4b\x41\x46\x41\x00\x05probe" >&3
    head -c 10 <&3 | od -An -tx1 | tr -d " \n"' 2>/dev/null)" || return 1
  # 4-byte size (any), correlation id, error code 0
  [[ "${reply:8:12}" == "4b4146410000" ]]
}

# True only if the pid is alive AND is our broker (guards against pid reuse).
pid_is_ours() {
  local pid="$1"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-Dkafka.infra.root=$ROOT " \
    && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF " $MAIN_CLASS "
}

status_detail() { server_answers; }

# The resolved classpath is cached per pom checksum so later starts skip Maven.
resolve_classpath() {
  local sum cp_file mvn_log
  sum="$(sha256sum "$CONF_DIR/pom.xml" | cut -c1-16)"
  cp_file="$STATE_DIR/classpath-$sum.txt"
  if [[ -s "$cp_file" ]] && classpath_complete "$cp_file"; then
    echo "$cp_file"
    return
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; needed once to resolve the Kafka classpath"
  mvn_log="$STATE_DIR/maven.log"
  log "resolving Kafka classpath with Maven (first run downloads ~60 MB into ~/.m2)..." >&2
  rm -f "$STATE_DIR"/classpath-*.txt
  if ! mvn -B -q -f "$CONF_DIR/pom.xml" dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file.tmp" >"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    rm -f "$cp_file.tmp"
    die "Maven could not resolve the Kafka classpath (log: $mvn_log)"
  fi
  mv "$cp_file.tmp" "$cp_file"
  echo "$cp_file"
}

# A cached classpath is stale if ~/.m2 was wiped since it was written.
classpath_complete() {
  local jar
  local -a jars
  IFS=: read -r -a jars <"$1"
  for jar in "${jars[@]}"; do [[ -f "$jar" ]] || return 1; done
}

render_config() {
  (
    umask 077  # holds the keystore and test user passwords
    sed -e "s|@KAFKA_PORT@|$PORT|g" \
        -e "s|@KAFKA_CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
        -e "s|@KAFKA_SASL_SSL_PORT@|$SASL_SSL_PORT|g" \
        -e "s|@KAFKA_DATA_DIR@|$DATA_DIR|g" \
        -e "s|@KAFKA_TLS_DIR@|$TLS_DIR|g" \
        -e "s|@KAFKA_KEYSTORE_PASSWORD@|$(<"$TLS_DIR/keystore.password")|g" \
        -e "s|@KAFKA_TEST_SASL_USER@|$SASL_USER|g" \
        -e "s|@KAFKA_TEST_SASL_PASSWORD@|$SASL_PASSWORD|g" \
        "$CONF_DIR/server.properties" >"$STATE_DIR/server.properties.tmp"
  )
  mv "$STATE_DIR/server.properties.tmp" "$STATE_DIR/server.properties"
}

scram_marker() {
  local cluster_id
  cluster_id="$(sed -n 's/^cluster.id=//p' "$DATA_DIR/meta.properties" 2>/dev/null)"
  printf '%s %s %s\n' "$cluster_id" "$SASL_USER" "$(printf '%s' "$SASL_PASSWORD" | sha256sum | cut -c1-64)"
}

jvm_opts() {
  # shellcheck disable=SC2086  # HEAP_OPTS is a list of flags
  printf '%s\n' $HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$CONF_DIR/log4j2.yaml" \
    "-Dkafka.logs.dir=$LOG_DIR"
}

format_storage() {
  local java="$1" cp="$2" cluster_id
  [[ -f "$DATA_DIR/meta.properties" ]] && return
  # A cluster id is a base64url-encoded random 128-bit UUID (22 chars, no padding).
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  log "formatting storage in $DATA_DIR (cluster id $cluster_id)"
  mkdir -p "$DATA_DIR"
  local -a opts
  mapfile -t opts < <(jvm_opts)
  # --cluster-id=: an id may start with '-' (1 in 64), which as a separate argument reads as an option.
  if ! "$java" "${opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
      "--cluster-id=$cluster_id" -c "$STATE_DIR/server.properties" \
      --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]" >"$LOG_DIR/format.out" 2>&1; then
    cat "$LOG_DIR/format.out" >&2
    die "storage format failed"
  fi
  scram_marker >"$SCRAM_MARKER"
}

# A data directory formatted before the SASL_SSL listener existed (or with another test
# password) lacks the SCRAM user: add it through the running broker, which stores it in the
# cluster metadata like the format-time one.
ensure_scram_user() {
  local java cp expected
  expected="$(scram_marker)"
  [[ -f "$SCRAM_MARKER" && "$(<"$SCRAM_MARKER")" == "$expected" ]] && return
  java="$(java_bin)"
  cp="$(<"$(resolve_classpath)")"
  log "adding SCRAM-SHA-512 user $SASL_USER"
  mkdir -p "$LOG_DIR/tools"
  if ! "$java" -Xmx128m "-Dlog4j2.configurationFile=$CONF_DIR/log4j2.yaml" "-Dkafka.logs.dir=$LOG_DIR/tools" \
      -cp "$cp" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$PORT" --alter \
      --entity-type users --entity-name "$SASL_USER" \
      --add-config "SCRAM-SHA-512=[password=$SASL_PASSWORD]" >"$LOG_DIR/scram-user.out" 2>&1; then
    cat "$LOG_DIR/scram-user.out" >&2
    die "could not add the SCRAM user $SASL_USER"
  fi
  printf '%s\n' "$expected" >"$SCRAM_MARKER"
}

# Byte offset of server.log when this start began, so a failure shows only this run's lines.
LOG_OFFSET=0

fail_start() {
  err "$1"
  if [[ -s "$OUT_FILE" ]]; then
    printf -- '----- last 40 lines of %s -----\n' "$OUT_FILE" >&2
    tail -n 40 "$OUT_FILE" >&2
  fi
  local server_log="$LOG_DIR/server.log" size
  if [[ -f "$server_log" ]]; then
    size="$(stat -c %s "$server_log")"
    ((size >= LOG_OFFSET)) || LOG_OFFSET=0  # rolled over meanwhile
    printf -- '----- last 40 lines of %s (this start) -----\n' "$server_log" >&2
    tail -c +"$((LOG_OFFSET + 1))" "$server_log" | tail -n 40 >&2
  fi
  exit 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_start "broker process $pid exited during startup"
    fi
    # server.out is truncated on each start, so the banner line is from this run.
    if grep -q 'Kafka Server started' "$OUT_FILE" 2>/dev/null && server_answers && port_open "$SASL_SSL_PORT"; then
      return 0
    fi
    sleep 0.5
  done
  stop_pid "$pid" >&2
  rm -f "$PID_FILE"
  fail_start "broker not ready on 127.0.0.1:$PORT after ${READY_TIMEOUT}s (stopped it)"
}

cmd_up() {
  local pid start=$SECONDS java cp_file cp
  if pid="$(running_pid)"; then
    if server_answers && ! port_open "$SASL_SSL_PORT"; then
      log "running broker (pid $pid) has no SASL_SSL listener on $SASL_SSL_PORT (older config); restarting it"
      stop_pid "$pid"
      rm -f "$PID_FILE"
    else
      if server_answers; then
        log "already running (pid $pid) on 127.0.0.1:$PORT"
      else
        log "broker process $pid is starting; waiting for it"
        wait_ready "$pid"
        log "ready on 127.0.0.1:$PORT (pid $pid)"
      fi
      ensure_scram_user
      return 0
    fi
  fi
  if server_answers; then
    log "a Kafka broker already answers on 127.0.0.1:$PORT (not started by this script); leaving it"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is in use by something that is not a Kafka broker"
  port_open "$CONTROLLER_PORT" && die "controller port $CONTROLLER_PORT is already in use"
  port_open "$SASL_SSL_PORT" && die "SASL_SSL port $SASL_SSL_PORT is already in use"

  mkdir -p "$STATE_DIR" "$LOG_DIR"
  rm -f "$PID_FILE"
  java="$(java_bin)"
  cp_file="$(resolve_classpath)"
  cp="$(<"$cp_file")"
  bash "$(dirname "${BASH_SOURCE[0]}")/kafka-tls.sh" "$TLS_DIR"
  render_config
  format_storage "$java" "$cp"

  local -a opts
  mapfile -t opts < <(jvm_opts)
  LOG_OFFSET="$(stat -c %s "$LOG_DIR/server.log" 2>/dev/null || echo 0)"
  # -Dkafka.infra.root tags the process so `down` never signals an unrelated pid.
  nohup "$java" "${opts[@]}" "-Dkafka.infra.root=$ROOT" -cp "$cp" \
    "$MAIN_CLASS" "$STATE_DIR/server.properties" >"$OUT_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started pid $pid ($("$java" -version 2>&1 | head -n1)); waiting up to ${READY_TIMEOUT}s"
  wait_ready "$pid"
  ensure_scram_user
  log "ready on 127.0.0.1:$PORT, SASL_SSL on 127.0.0.1:$SASL_SSL_PORT (pid $pid) in $((SECONDS - start))s"
}

dispatch "$@"

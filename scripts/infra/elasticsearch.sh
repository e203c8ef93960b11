#!/usr/bin/env bash
# Local single-node Elasticsearch 9 (cluster "mlops"), built from Elastic's artifacts on Maven Central
# (org.elasticsearch:elasticsearch + org.elasticsearch.plugin:transport-netty4) and started in-process by
# our launcher infra/elasticsearch/src/main/java/dev/mlops/es/EmbeddedElasticsearch.java. No Docker,
# no distribution tarball, no security (plain HTTP, no auth).
#
#   scripts/infra/elasticsearch.sh up              start (idempotent) and wait for yellow health
#   scripts/infra/elasticsearch.sh down [--clean]  stop (idempotent); --clean or ES_CLEAN=1 wipes data
#   scripts/infra/elasticsearch.sh status          print state (exit 0 running / 1 not running)
#
# Env: ES_PORT (9200), ES_READY_TIMEOUT (180 s), ES_HEAP_OPTS (-Xms512m -Xmx1g), ES_JAVA_OPTS (extra
#      JVM flags), ES_JAVA_HOME (else /usr/lib/jvm/temurin-25-jdk-amd64, else a JDK >= 21 under
#      /usr/lib/jvm, else JAVA_HOME if >= 21), ES_CLEAN=1 (with down), ES_STATE_DIR
#      (.infra/elasticsearch; a second node from the same checkout, e.g. the bench's, needs its own).
# State: $ES_STATE_DIR/{home,data,logs,tmp,es.pid}; home/ is rebuilt by Maven only when the
#        checksum of infra/elasticsearch (pom, sources, config) changes, so warm starts skip Maven.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC_DIR="$ROOT/infra/elasticsearch"
STATE_DIR="${ES_STATE_DIR:-$ROOT/.infra/elasticsearch}"
ES_HOME_DIR="$STATE_DIR/home"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
TMP_DIR="$STATE_DIR/tmp"
PID_FILE="$STATE_DIR/es.pid"
OUT_FILE="$LOG_DIR/server.out"
STAMP_FILE="$ES_HOME_DIR/.build-checksum"

PORT="${ES_PORT:-9200}"
READY_TIMEOUT="${ES_READY_TIMEOUT:-180}"
HEAP_OPTS="${ES_HEAP_OPTS:--Xms512m -Xmx1g}"
STOP_TIMEOUT=30
MAIN_CLASS="dev.mlops.es.EmbeddedElasticsearch"
BASE_URL="http://127.0.0.1:$PORT"

NAME=elasticsearch
ADDR="$BASE_URL"
SERVER_KIND=Elasticsearch
CLEAN_DEFAULT="${ES_CLEAN:-0}"
CLEAN_DIRS=("$DATA_DIR" "$TMP_DIR")
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source-path=SCRIPTDIR source=java.sh
source "$(dirname "${BASH_SOURCE[0]}")/java.sh"

# ---------------------------------------------------------------- probes

# Prints the HTTP status of GET $1 (000 when nothing answers).
http_code() {
  curl -s -o /dev/null -m "${2:-5}" -w '%{http_code}' "$BASE_URL$1" 2>/dev/null || true
}

# True when a real Elasticsearch answers on the port (the official clients' product check
# relies on the same header).
server_answers() {
  curl -s -m 5 -D - -o /dev/null "$BASE_URL/" 2>/dev/null \
    | tr -d '\r' | grep -qi '^x-elastic-product: *Elasticsearch$'
}

status_detail() {
  local health
  health="$(curl -s -m 5 "$BASE_URL/_cluster/health" 2>/dev/null \
    | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true)"
  [[ -n "$health" ]] || return 1
  printf ', health %s' "$health"
}

# True only if the pid is alive AND is our node for this checkout (guards against pid reuse).
pid_is_ours() {
  local pid="$1" cmd
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  [[ "$cmd" == *"-Des.path.home=$ES_HOME_DIR "* && "$cmd" == *" $MAIN_CLASS"* ]]
}

# ---------------------------------------------------------------- build (cached)

source_checksum() {
  (
    cd "$SRC_DIR"
    find . -path ./target -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum
  ) | sha256sum | cut -c1-16
}

home_complete() {
  [[ -f "$STAMP_FILE" ]] \
    && compgen -G "$ES_HOME_DIR/lib/elasticsearch-[0-9]*.jar" >/dev/null \
    && [[ -f "$ES_HOME_DIR/lib/mlops-es-launcher.jar" ]] \
    && [[ -f "$ES_HOME_DIR/modules/transport-netty4/plugin-descriptor.properties" ]] \
    && compgen -G "$ES_HOME_DIR/modules/transport-netty4/transport-netty4-*.jar" >/dev/null \
    && [[ -f "$ES_HOME_DIR/modules/mlops-rest-root/plugin-descriptor.properties" ]]
}

ensure_home() {
  local java_home="$1" sum mvn_log new_home
  sum="$(source_checksum)"
  if home_complete && [[ "$(<"$STAMP_FILE")" == "$sum" ]]; then
    return
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; needed once to build the launcher and fetch Elasticsearch from Maven Central"
  mvn_log="$STATE_DIR/maven.log"
  new_home="$STATE_DIR/home.new"
  rm -rf "$new_home"
  log "building launcher and fetching Elasticsearch jars with Maven (first run downloads ~45 MB into ~/.m2)..."
  if ! JAVA_HOME="$java_home" mvn -B -q -f "$SRC_DIR/pom.xml" package \
      "-Des.home.dir=$new_home" >"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    rm -rf "$new_home"
    die "Maven build of infra/elasticsearch failed (log: $mvn_log)"
  fi
  echo "$sum" >"$new_home/.build-checksum"
  rm -rf "$ES_HOME_DIR"
  mv "$new_home" "$ES_HOME_DIR"
}

# ES loads its native libraries from $home/lib/platform/<os>-<arch>/; the distribution bundles
# them, Maven Central does not. libzstd (best_compression codec) is a plain zstd build, so link the
# system's libzstd.so.1 (Debian: libzstd1) there. libvec (Elastic's SIMD vector kernels) has no
# substitute; jvm_opts turns it off (enableVectorLibrary=false) so native access still initialises.
# Without libzstd ES only logs a warning and disables native access (fine for development).
link_native_libs() {
  local arch dir lib
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) return 0 ;;
  esac
  dir="$ES_HOME_DIR/lib/platform/linux-$arch"
  [[ -e "$dir/libzstd.so" ]] && return 0
  lib="$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null | awk '/libzstd\.so\.1 / {print $NF; exit}' || true)"
  if [[ -z "$lib" ]]; then
    lib="$(compgen -G '/usr/lib/*-linux-gnu/libzstd.so.1' | head -n1 || true)"
  fi
  [[ -n "$lib" && -e "$lib" ]] || return 0
  mkdir -p "$dir"
  ln -sf "$lib" "$dir/libzstd.so"
}

jvm_opts() {
  # shellcheck disable=SC2086  # HEAP_OPTS / ES_JAVA_OPTS are lists of flags
  printf '%s\n' $HEAP_OPTS \
    -XX:MaxDirectMemorySize=512m \
    -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow \
    "-XX:ErrorFile=$LOG_DIR/hs_err_pid%p.log" \
    -Xss1m -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.locale.providers=CLDR \
    "-Djava.io.tmpdir=$TMP_DIR" \
    --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector \
    -Dorg.elasticsearch.nativeaccess.enableVectorLibrary=false \
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
    "-Des.path.home=$ES_HOME_DIR" "-Des.path.data=$DATA_DIR" "-Des.path.logs=$LOG_DIR" \
    "-Des.http.port=$PORT" \
    ${ES_JAVA_OPTS:-}
}

# ---------------------------------------------------------------- commands

fail_start() {
  err "$1"
  if [[ -s "$OUT_FILE" ]]; then
    printf -- '----- last 60 lines of %s -----\n' "$OUT_FILE" >&2
    tail -n 60 "$OUT_FILE" >&2
  fi
  exit 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_start "node process $pid exited during startup"
    fi
    if [[ "$(http_code '/_cluster/health?wait_for_status=yellow&timeout=1s' 5)" == 200 ]]; then
      return 0
    fi
    sleep 1
  done
  stop_pid "$pid" >&2
  rm -f "$PID_FILE"
  fail_start "node not ready (yellow) on $BASE_URL after ${READY_TIMEOUT}s (stopped it)"
}

cmd_up() {
  local pid start=$SECONDS
  command -v curl >/dev/null 2>&1 || die "curl is required (apt-get install curl)"
  if pid="$(running_pid)"; then
    if server_answers; then
      log "already running (pid $pid) on $BASE_URL"
      return 0
    fi
    log "node process $pid exists; waiting for it to be ready"
    wait_ready "$pid"
    log "ready on $BASE_URL (pid $pid)"
    return 0
  fi
  if server_answers; then
    log "Elasticsearch already answers on $BASE_URL (not started by this script); leaving it"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is in use by something that is not Elasticsearch"

  mkdir -p "$STATE_DIR" "$DATA_DIR" "$LOG_DIR" "$TMP_DIR"
  rm -f "$PID_FILE"
  local java_home
  java_home="$(find_java_home)"
  ensure_home "$java_home"
  link_native_libs

  local -a opts
  mapfile -t opts < <(jvm_opts)
  [[ -f "$OUT_FILE" ]] && mv -f "$OUT_FILE" "$OUT_FILE.1"
  nohup "$java_home/bin/java" "${opts[@]}" -cp "$ES_HOME_DIR/lib/*" "$MAIN_CLASS" \
    >"$OUT_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started pid $pid (java $(java_major "$java_home") at $java_home); waiting up to ${READY_TIMEOUT}s"
  wait_ready "$pid"
  log "ready on $BASE_URL (pid $pid) in $((SECONDS - start))s"
}

dispatch "$@"

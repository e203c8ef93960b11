# shellcheck shell=bash
# Finding a JDK >= 21 (Elasticsearch 9 needs it): shared by scripts/infra/elasticsearch.sh and the
# Elasticsearch and Kafka stand-in images (infra/standins). Sourced after common.sh (for die).
# ES_JAVA_HOME wins, then /usr/lib/jvm/temurin-25-jdk-amd64, then the newest JDK >= 21 under
# /usr/lib/jvm, then JAVA_HOME if it is one.

java_major() {
  # prints the feature version (e.g. 25) of the JDK at $1, or nothing
  [[ -x "$1/bin/java" ]] || return 1
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' | tr -d ' \r'
}

jdk_ok() {
  local v
  v="$(java_major "$1" 2>/dev/null)" || return 1
  [[ "$v" =~ ^[0-9]+$ ]] && ((v >= 21))
}

find_java_home() {
  local candidate
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then
    jdk_ok "$ES_JAVA_HOME" || die "ES_JAVA_HOME=$ES_JAVA_HOME is not a JDK >= 21"
    echo "$ES_JAVA_HOME"
    return
  fi
  if jdk_ok /usr/lib/jvm/temurin-25-jdk-amd64; then
    echo /usr/lib/jvm/temurin-25-jdk-amd64
    return
  fi
  # newest first: e.g. /usr/lib/jvm/java-21-openjdk-amd64, /usr/lib/jvm/temurin-21-jdk-amd64
  while IFS= read -r candidate; do
    candidate="${candidate%/}"
    if jdk_ok "$candidate"; then
      echo "$candidate"
      return
    fi
  done < <(compgen -G '/usr/lib/jvm/*-2[1-9]*-*/' | sort -rV)
  if [[ -n "${JAVA_HOME:-}" ]] && jdk_ok "$JAVA_HOME"; then
    echo "$JAVA_HOME"
    return
  fi
  die "no JDK >= 21 found (Elasticsearch 9 needs Java 21+): set ES_JAVA_HOME, or install one, e.g. apt-get install openjdk-21-jdk-headless"
}

#!/usr/bin/env bash
# Writes Strimzi's CustomResourceDefinitions (Kafka, KafkaNodePool, KafkaTopic, KafkaUser) into
# .tools/strimzi-crds/<version>/ for the chart tests, which validate the chart's example Strimzi
# objects against them. Strimzi publishes its API model and CRD generator on Maven Central
# (io.strimzi:api, io.strimzi:crd-generator; infra/strimzi-crds/pom.xml), and its release CRDs
# are produced by that generator from that model: running it here gives the same schemas
# without downloading a release archive. Does nothing when the files exist.
#
# Needs Maven and a JDK >= 21 (the generator's class files): STRIMZI_JAVA_HOME, else a JDK >= 21
# under /usr/lib/jvm, else JAVA_HOME. First run: ~40 MB into ~/.m2 and a few seconds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/infra/strimzi-crds/pom.xml"
VERSION="$(sed -n 's|.*<strimzi.version>\(.*\)</strimzi.version>.*|\1|p' "$POM")"
OUT="$ROOT/.tools/strimzi-crds/$VERSION"
KINDS=(kafka.Kafka=kafka nodepool.KafkaNodePool=kafkanodepool topic.KafkaTopic=kafkatopic user.KafkaUser=kafkauser)

complete() {
  local kind
  for kind in "${KINDS[@]}"; do [[ -s "$OUT/${kind#*=}.yaml" ]] || return 1; done
}
complete && exit 0

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | tr -d ' \r'
}
find_java() {
  local candidate major
  for candidate in "${STRIMZI_JAVA_HOME:-}" $(compgen -G '/usr/lib/jvm/*/' | sort -rV) "${JAVA_HOME:-}"; do
    candidate="${candidate%/}"
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    major="$(java_major "$candidate")"
    [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 21)) && { echo "$candidate"; return; }
  done
  echo "[test] no JDK >= 21 found for Strimzi's CRD generator: set STRIMZI_JAVA_HOME, or install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
  return 1
}

java_home="$(find_java)"
echo "[test] generating Strimzi $VERSION CRDs into .tools/strimzi-crds/$VERSION (first run only)"
mkdir -p "$OUT"
classpath_file="$OUT/classpath.txt"
mvn -B -q -Dstyle.color=never -f "$POM" dependency:build-classpath "-Dmdep.outputFile=$classpath_file" >/dev/null
args=()
for kind in "${KINDS[@]}"; do args+=("io.strimzi.api.kafka.model.${kind%=*}=$OUT/${kind#*=}.yaml"); done
# As Strimzi's own build (api/pom.xml): apiextensions v1 CRDs serving and storing v1.
"$java_home/bin/java" -cp "$(cat "$classpath_file")" io.strimzi.crdgenerator.CrdGenerator \
  --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml "${args[@]}"
complete || { echo "[test] Strimzi's CRD generator wrote no CRDs into $OUT" >&2; exit 1; }

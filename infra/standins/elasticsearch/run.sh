#!/bin/bash
# Variables with a dot are Elasticsearch settings, as in the official image; xpack.* ones are not
# (this node has no x-pack): xpack.security.enabled=true puts the security stand-in in front.
# The node listens on 127.0.0.1:9201 only; the stand-in on 9200 is the one way in.
set -euo pipefail
home=/usr/share/elasticsearch
config="$home/config/elasticsearch.yml"
security=false
while IFS='=' read -r -d '' key value; do
  case "$key" in
    xpack.security.enabled) security="$value" ;;
    xpack.*) ;;
    *.*)
      # Replaces the line of the same setting: Elasticsearch refuses a duplicate key.
      sed -i "/^${key//./\\.}:/d" "$config"
      printf '%s: "%s"\n' "$key" "$value" >>"$config"
      ;;
  esac
done < <(env -0)

# shellcheck disable=SC2086 # ES_JAVA_OPTS is a list of flags
java ${ES_JAVA_OPTS:--Xms1g -Xmx1g} -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  -Djava.io.tmpdir="$home/tmp" -Dfile.encoding=UTF-8 -Djava.locale.providers=CLDR \
  --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector \
  -Dorg.elasticsearch.nativeaccess.enableVectorLibrary=false \
  -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true \
  -Des.path.home="$home" -Des.path.data="$home/data" -Des.path.logs="$home/logs" -Des.http.port=9201 \
  -cp "$home/lib/*" dev.mlops.es.EmbeddedElasticsearch &
node=$!
java -Xmx64m -cp "$home/standin" SecurityStandIn 9200 http://127.0.0.1:9201 "$security" "$home/data/standin-security.properties" &
proxy=$!
trap 'kill -TERM "$node" "$proxy" 2>/dev/null' TERM INT
# Whichever ends first ends the container, so the restart policy sees a failure.
status=0
wait -n "$node" "$proxy" || status=$?
kill -TERM "$node" "$proxy" 2>/dev/null || true
wait || true
exit "$status"

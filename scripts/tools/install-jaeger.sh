#!/usr/bin/env bash
# Installs the pinned Jaeger (v2: an OpenTelemetry Collector distribution with Jaeger's storage
# and query UI) into .tools/bin for the tracing test (test/tracing.kafka.e2e-spec.ts), which
# sends traces to it over OTLP and reads them back from its query API. Jaeger is a Go module, so
# it is built from source through the module proxy, as Helm is (install-helm.sh). Does nothing
# when .tools/bin/jaeger already reports the pinned version.
#
# The first build downloads ~600 MB of modules and compiles Jaeger: minutes on 2 cores (the time is
# printed); with Go's caches warm, seconds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAEGER_VERSION="${JAEGER_VERSION:-v1.75.0}"
BIN="$ROOT/.tools/bin"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
STAMP="$BIN/.jaeger-version"

if [[ -x "$BIN/jaeger" ]] && [[ "$(cat "$STAMP" 2>/dev/null)" == "$JAEGER_VERSION" ]]; then
  exit 0
fi
if [[ ! -x "$GO" ]]; then
  echo "[test] Go is needed to build Jaeger $JAEGER_VERSION for the tracing test (https://go.dev/dl)" >&2
  exit 1
fi
echo "[test] building Jaeger $JAEGER_VERSION into .tools/bin from the Go module proxy (first run only)"
mkdir -p "$BIN"
started=$SECONDS
# A module of our own that requires Jaeger: `go install pkg@version` refuses a module whose go.mod
# has replace directives, and building inside a module takes its requirements as they are.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  "$GO" mod init jaeger-build >/dev/null 2>&1
  GOFLAGS=-mod=mod "$GO" get "github.com/jaegertracing/jaeger@$JAEGER_VERSION" >/dev/null
  GOFLAGS="-mod=mod -buildvcs=false" "$GO" build -trimpath -ldflags "-s -w" -o "$BIN/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
)
echo "$JAEGER_VERSION" >"$STAMP"
echo "[test] Jaeger $JAEGER_VERSION installed in $((SECONDS - started)) s"

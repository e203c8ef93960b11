#!/usr/bin/env bash
# Installs the pinned Prometheus and promtool into .tools/bin for the dashboard and alerting-rule
# tests (test/dashboards.kafka.e2e-spec.ts, test/deploy/alert-rules.spec.ts). Built from source
# with the Go toolchain through the module proxy, as scripts/tools/install-helm.sh builds Helm: no
# release tarball, which this project's machines cannot reach. Does nothing when both binaries
# already report the pinned version.
#
# Prometheus' Go module is v0.3MM.P for Prometheus 3.MM.P. Built with `remove_all_sd` and
# `enable_dns_sd`: the tests scrape static targets and check the compose config's DNS discovery,
# and leaving out the cloud and Kubernetes discoveries cuts most of what is compiled; PromQL, the
# TSDB, the HTTP API and rule evaluation are the release's own. No web UI assets (the `builtinassets` tag): the API is all the
# tests use. Needs Go on PATH (or GO=/path/to/go); v0.316.0 declares go 1.26.7, which an older Go
# fetches by itself (GOTOOLCHAIN=auto).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.316.0}"
BIN="$ROOT/.tools/bin"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
# v0.316.0 -> 3.16.0: the version the binaries print and the prom/prometheus image tag (without its v).
release="3.$((10#$(cut -d. -f2 <<<"$PROMETHEUS_MODULE_VERSION") - 300)).$(cut -d. -f3 <<<"$PROMETHEUS_MODULE_VERSION")"

reports_release() { [[ -x "$BIN/$1" ]] && "$BIN/$1" --version 2>/dev/null | head -n 1 | grep -q "^$1, version $release "; }
if reports_release prometheus && reports_release promtool; then
  exit 0
fi
if [[ ! -x "$GO" ]]; then
  echo "[test] Go is needed to build Prometheus $release for the dashboard and alert tests (https://go.dev/dl)" >&2
  exit 1
fi
echo "[test] building Prometheus $release and promtool into .tools/bin from the Go module proxy (first run only)"
mkdir -p "$BIN"
started=$SECONDS
# As Prometheus' own release build (promu): the version both binaries print.
ldflags="-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=module"
ldflags+=" -X github.com/prometheus/common/version.Revision=$PROMETHEUS_MODULE_VERSION"
GOBIN="$BIN" GOFLAGS="-buildvcs=false" "$GO" install -trimpath -tags remove_all_sd,enable_dns_sd -ldflags "$ldflags" \
  "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION" \
  "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
reports_release prometheus && reports_release promtool ||
  { echo "[test] the built Prometheus does not report version $release" >&2; exit 1; }
echo "[test] Prometheus and promtool $release installed in $((SECONDS - started)) s"

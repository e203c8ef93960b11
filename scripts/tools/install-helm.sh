#!/usr/bin/env bash
# Installs the pinned Helm into .tools/bin for the chart tests (test/deploy/helm-chart.spec.ts).
# Helm is a Go module, so it is built from source with the Go toolchain through the module
# proxy: no release tarball download, which this project's machines cannot reach. Does
# nothing when .tools/bin/helm already reports the pinned version.
#
# Needs Go on PATH (or GO=/path/to/go); Helm 3.22 declares go 1.26, which an older Go fetches
# by itself (GOTOOLCHAIN=auto). The first build downloads ~400 MB of modules and compiles Helm:
# about 3 minutes on 2 cores; with Go's caches warm, 5 s. Later runs cost one `helm version`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
BIN="$ROOT/.tools/bin"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

if [[ -x "$BIN/helm" ]] && [[ "$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; then
  exit 0
fi
if [[ ! -x "$GO" ]]; then
  echo "[test] Go is needed to build Helm $HELM_VERSION for the chart tests (https://go.dev/dl)" >&2
  exit 1
fi
echo "[test] building Helm $HELM_VERSION into .tools/bin from the Go module proxy (first run only)"
mkdir -p "$BIN"
started=$SECONDS
# As Helm's own release build (its Makefile): the version `helm version` prints, and the
# Kubernetes version that `helm template` and `helm lint` assume, taken from the client-go
# release Helm is built with (v0.N.x is Kubernetes 1.N).
go_mod="$(GOFLAGS=-mod=mod "$GO" mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
k8s_minor="$(sed -n 's|^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*|\1|p' "$go_mod")"
[[ -n "$k8s_minor" ]] || { echo "[test] cannot read the client-go version of Helm $HELM_VERSION from $go_mod" >&2; exit 1; }
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in pkg/chartutil pkg/lint/rules; do
  ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8s_minor"
done
GOBIN="$BIN" GOFLAGS="-buildvcs=false" "$GO" install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
echo "[test] Helm $("$BIN/helm" version --template '{{.Version}}') (Kubernetes 1.$k8s_minor API) installed in $((SECONDS - started)) s"

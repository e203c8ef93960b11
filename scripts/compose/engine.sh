# shellcheck shell=bash
# The Docker engine of the compose smoke (sourced by scripts/compose/smoke.sh, after common.sh).
# A Docker engine that already answers is used as it is. Otherwise, as root, a private one:
# Debian's docker.io, containerd, runc and tini unpacked (not installed) into the cache, dockerd
# started with its own data root (kept: it is the image cache), exec root and socket (in a fresh
# /tmp folder), no iptables, no IP forwarding and no default bridge, so the host's firewall and
# network are left as they are. Containers reach each other over compose's own bridges; with no
# NAT they have no route out, which is why images are built with the host network. Published
# ports go through docker-proxy on 127.0.0.1.
#
# Sets ENGINE (existing|private), and for a private engine DOCKER_HOST and PATH (its docker CLI
# first). engine_start returns 2 when no engine can be had here, with the reason in ENGINE_SKIP.

# iptables and its libraries: not for the host's firewall (dockerd --iptables=false) but for the
# DNS of compose networks, which dockerd sets up inside each container's own network namespace.
ENGINE_PACKAGES=(docker.io containerd runc tini debootstrap
  iptables libip4tc2 libip6tc2 libxtables12 libnetfilter-conntrack3 libnfnetlink0 libnftnl11 libmnl0)
ENGINE_ROOT="$CACHE/engine"
ENGINE_DATA="$CACHE/engine-data"
ENGINE_RUN=""
ENGINE_PID=""
ENGINE_SKIP=""

# Debian's packages, unpacked once per package set: dockerd, containerd, runc, docker-init
# (tini), docker-proxy, the docker CLI, and debootstrap for the Debian stand-in.
engine_unpack() {
  local stamp="$ENGINE_ROOT/.packages" wanted debs
  wanted="${ENGINE_PACKAGES[*]}"
  [[ -f "$stamp" && "$(<"$stamp")" == "$wanted" && -x "$ENGINE_ROOT/usr/sbin/dockerd" ]] && return 0
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
    ENGINE_SKIP="no apt-get/dpkg to fetch Debian's docker.io with"
    return 2
  }
  log "fetching ${wanted} with apt-get download (first run only)"
  debs="$(mktemp -d)"
  # _apt cannot write into a root-only temporary folder; the download itself needs no privilege.
  chmod 755 "$debs"
  (cd "$debs" && apt-get download "${ENGINE_PACKAGES[@]}" >"$CACHE/apt-download.log" 2>&1) || {
    (apt-get update >>"$CACHE/apt-download.log" 2>&1 && cd "$debs" && apt-get download "${ENGINE_PACKAGES[@]}" >>"$CACHE/apt-download.log" 2>&1) ||
      die "apt-get download ${wanted} failed (log: $CACHE/apt-download.log)"
  }
  rm -rf "$ENGINE_ROOT"
  mkdir -p "$ENGINE_ROOT"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$ENGINE_ROOT"; done
  rm -rf "$debs"
  # What update-alternatives would have linked on install; the kernel's legacy tables suffice.
  ln -sf xtables-legacy-multi "$ENGINE_ROOT/usr/sbin/iptables"
  ln -sf xtables-legacy-multi "$ENGINE_ROOT/usr/sbin/ip6tables"
  printf '%s\n' "$wanted" >"$stamp"
}

engine_start() {
  if docker info >/dev/null 2>&1; then
    ENGINE=existing
    log "using the Docker engine that answers at ${DOCKER_HOST:-its default socket}"
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    ENGINE_SKIP="no Docker engine answers, and starting a private one needs root"
    return 2
  fi
  engine_unpack || return
  ENGINE=private
  export PATH="$ENGINE_ROOT/usr/bin:$ENGINE_ROOT/usr/sbin:$PATH"
  # containerd puts its shims' sockets under /run/containerd/s whatever its state folder.
  [[ -e /run/containerd ]] || ENGINE_MADE_RUN_CONTAINERD=1
  ENGINE_RUN="$(mktemp -d /tmp/iris-docker.XXXXXX)"
  export DOCKER_HOST="unix://$ENGINE_RUN/docker.sock"
  mkdir -p "$ENGINE_DATA"
  LD_LIBRARY_PATH="$ENGINE_ROOT/usr/lib/x86_64-linux-gnu" XTABLES_LIBDIR="$ENGINE_ROOT/usr/lib/x86_64-linux-gnu/xtables" \
    dockerd --data-root "$ENGINE_DATA" --exec-root "$ENGINE_RUN/exec" -H "$DOCKER_HOST" \
    --pidfile "$ENGINE_RUN/docker.pid" --iptables=false --ip-forward=false --ip-masq=false \
    --bridge=none --storage-driver overlay2 >"$LOG_DIR/dockerd.log" 2>&1 &
  ENGINE_PID=$!
  local deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$ENGINE_PID" 2>/dev/null || ((SECONDS >= deadline)); then
      ENGINE_SKIP="a private dockerd could not start here: $(grep -E 'level=(error|fatal)|^failed' "$LOG_DIR/dockerd.log" | tail -n 3 | tr '\n' ' ')(log: $LOG_DIR/dockerd.log)"
      engine_stop
      return 2
    fi
    sleep 1
  done
  log "private dockerd $(docker version -f '{{.Server.Version}}') (pid $ENGINE_PID) at $DOCKER_HOST, data root $ENGINE_DATA"
}

engine_stop() {
  [[ -n "$ENGINE_PID" ]] || return 0
  kill -TERM "$ENGINE_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$ENGINE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  kill -KILL "$ENGINE_PID" 2>/dev/null || true
  wait "$ENGINE_PID" 2>/dev/null || true
  # A daemon killed mid-way can leave its mounts: unmount whatever is still under our folders.
  local mount
  while read -r mount; do umount -l "$mount" 2>/dev/null || true; done < <(awk -v a="$ENGINE_DATA" -v b="$ENGINE_RUN" \
    'index($2, a) == 1 || index($2, b) == 1 { print $2 }' /proc/self/mounts | sort -r)
  rm -rf "$ENGINE_RUN"
  [[ -z "${ENGINE_MADE_RUN_CONTAINERD:-}" ]] || rmdir /run/containerd/s /run/containerd 2>/dev/null || true
  ENGINE_PID=""
  log "private dockerd stopped; its exec root removed"
}

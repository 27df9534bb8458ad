#!/usr/bin/env bash
# Builds the lab's images locally; nothing is pulled from any registry.
#   imagecache-lab/host:dev      debootstrap'd Debian 12: sshd, cron, sudo user "ops", containerd 1.6,
#                                docker 20.10, crictl; role picked at run time (LAB_ROLE)
#   imagecache-lab/registry:2.8  distribution 2.8 (Debian's docker-registry) in a scratch image
# Each image carries the hash of its inputs as label imagecache.hash and is rebuilt only when that
# hash changes. The debootstrap rootfs is cached as a tarball under $IMAGECACHE_CACHE/lab.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
tools=$("$root/scripts/install-tools.sh" --bin-dir)
log() { printf '[lab] %s\n' "$*" >&2; }

hash_of() { (cd "$here" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
current() { docker image inspect "$1" --format '{{index .Config.Labels "imagecache.hash"}}' 2>/dev/null || true; }

# --- base rootfs (debootstrap, cached) ------------------------------------------------------------
pkgs=$(grep -v '^#' "$here/host/packages.txt" | paste -sd, -)
base_hash=$(printf '%s' "$pkgs" | sha256sum | cut -c1-16)
base_tag=imagecache-lab/base:$base_hash
if ! docker image inspect "$base_tag" >/dev/null 2>&1; then
  tarball=$cache/lab/rootfs-$base_hash.tar
  if [[ ! -f $tarball ]]; then
    log "debootstrap bookworm ($pkgs)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    debootstrap --variant=minbase --include="$pkgs" bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/log" 2>&1 \
      || { tail -30 "$work/log" >&2; exit 1; }
    rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/*
    mkdir -p "$cache/lab"
    tar -C "$work/rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$work"; trap - EXIT
  fi
  log "importing $base_tag"
  docker import "$tarball" "$base_tag" >/dev/null
fi

# --- host image -----------------------------------------------------------------------------------
host_hash=$( { hash_of host; echo "$base_hash"; sha256sum "$tools/crictl"; } | sha256sum | cut -c1-16)
if [[ $(current imagecache-lab/host:dev) != "$host_hash" ]]; then
  log "building imagecache-lab/host:dev"
  ctx=$(mktemp -d)
  cp -a "$here/host/." "$ctx/" && cp "$tools/crictl" "$ctx/crictl"
  docker build -q --build-arg BASE="$base_tag" --label imagecache.hash="$host_hash" -t imagecache-lab/host:dev "$ctx" >/dev/null
  rm -rf "$ctx"
fi

# --- registry 2.8 image ---------------------------------------------------------------------------
reg_bin=/usr/bin/docker-registry
reg_hash=$( { hash_of registry; sha256sum "$reg_bin"; } | sha256sum | cut -c1-16)
if [[ $(current imagecache-lab/registry:2.8) != "$reg_hash" ]]; then
  log "building imagecache-lab/registry:2.8"
  ctx=$(mktemp -d)
  cp "$here/registry/Dockerfile" "$ctx/"
  r=$ctx/rootfs
  mkdir -p "$r/bin" "$r/etc/docker/registry" "$r/var/lib/registry" "$r/tmp" "$r/etc/ssl/certs"
  cp "$reg_bin" "$r/bin/registry"
  # the binary is dynamically linked against glibc only
  for lib in $(ldd "$reg_bin" | grep -oE '/[^ ]+\.so[^ ]*'); do mkdir -p "$r$(dirname "$lib")"; cp -L "$lib" "$r$lib"; done
  cp "$here/registry/config.yml" "$r/etc/docker/registry/config.yml"
  cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  chmod 1777 "$r/tmp"
  docker build -q --label imagecache.hash="$reg_hash" -t imagecache-lab/registry:2.8 "$ctx" >/dev/null
  rm -rf "$ctx"
fi

# Saved copy of the registry image for loading into lab docker hosts (docker load is fast).
save=$cache/lab/registry-2.8-$reg_hash.tar
if [[ ! -f $save ]]; then
  mkdir -p "$cache/lab" && docker save imagecache-lab/registry:2.8 -o "$save.partial" && mv "$save.partial" "$save"
fi
ln -sfn "$save" "$cache/lab/registry-2.8.tar"
log "images ready: imagecache-lab/host:dev imagecache-lab/registry:2.8"

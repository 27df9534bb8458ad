#!/usr/bin/env bash
# Builds the lab's images locally; nothing is pulled from any registry.
#   imagecache-lab/host:dev      debootstrap'd Debian 12: sshd, cron, sudo user "ops", containerd 1.6,
#                                docker 20.10, crictl; role picked at run time (LAB_ROLE)
#   imagecache-lab/hypervisor:dev  host:dev's Dockerfile on a base with QEMU/KVM, qemu-img, genisoimage,
#                                dnsmasq (LAB_ROLE=hypervisor: br0, NAT, a DHCP decoy; HypervisorHost)
#   imagecache-lab/registry:2.8  distribution 2.8 (Debian's docker-registry) in a scratch image
#   imagecache-lab/node:<1.7.x>  host:dev with containerd 1.7 from Go modules (alias node:1.7)
#   imagecache-lab/node:<2.x.y>  host:dev with containerd 2.x from Go modules (alias node:2)
#   imagecache-lab/registry:<3.x.y>  distribution 3 from Go modules in a scratch image (alias registry:3)
# The Go-built binaries come from scripts/install-node-tools.sh (built there if missing).
# Each image carries the hash of its inputs as label imagecache.hash and is rebuilt only when that
# hash changes; so is the registry VM's disk image (vm/build.sh). The debootstrap rootfs is cached as a tarball under $IMAGECACHE_CACHE/lab.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
tools=$("$root/scripts/install-tools.sh" --bin-dir)
log() { printf '[lab] %s\n' "$*" >&2; }

hash_of() { (cd "$here" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
# docker build, quiet; its output (the legacy builder's deprecation notice included) only on failure.
dbuild() { local out; out=$(docker build -q "$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }; }
current() { docker image inspect "$1" --format '{{index .Config.Labels "imagecache.hash"}}' 2>/dev/null || true; }

# --- base rootfs (debootstrap, cached) ------------------------------------------------------------
# base_image FILE...: imports (once) a debootstrap rootfs with the packages the files list and sets
# $base_tag; the rootfs is cached as $cache/lab/rootfs-<hash of the list>.tar.
base_image() {
  local pkgs tarball work mirror
  pkgs=$(cat "$@" | grep -v '^#' | paste -sd, -)
  base_hash=$(printf '%s' "$pkgs" | sha256sum | cut -c1-16)
  base_tag=imagecache-lab/base:$base_hash
  docker image inspect "$base_tag" >/dev/null 2>&1 && return 0
  tarball=$cache/lab/rootfs-$base_hash.tar
  if [[ ! -f $tarball ]]; then
    log "debootstrap bookworm ($pkgs)"
    work=$(mktemp -d)
    mirror=$("$root/scripts/package-sources.sh" debian-mirror bookworm)  # the archive apt on this machine uses
    debootstrap --variant=minbase --include="$pkgs" bookworm "$work/rootfs" "$mirror" >"$work/log" 2>&1 \
      || { tail -30 "$work/log" >&2; rm -rf "$work"; exit 1; }
    rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/*
    mkdir -p "$cache/lab"
    tar -C "$work/rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$work"
  fi
  log "importing $base_tag"
  docker import "$tarball" "$base_tag" >/dev/null
}
base_image "$here/host/packages.txt"

# --- host image -----------------------------------------------------------------------------------
# crictl by content, not path: the same image whatever $IMAGECACHE_CACHE the tools were built under
host_hash=$( { hash_of host; echo "$base_hash"; sha256sum < "$tools/crictl"; } | sha256sum | cut -c1-16)
if [[ $(current imagecache-lab/host:dev) != "$host_hash" ]]; then
  log "building imagecache-lab/host:dev"
  ctx=$(mktemp -d)
  cp -a "$here/host/." "$ctx/" && cp "$tools/crictl" "$ctx/crictl"
  dbuild --build-arg BASE="$base_tag" --label imagecache.hash="$host_hash" -t imagecache-lab/host:dev "$ctx"
  rm -rf "$ctx"
fi

# --- hypervisor image: the host image on a base with QEMU, qemu-img, genisoimage, dnsmasq ---------
# Same Dockerfile and rootfs/ as host:dev (lab-init's role "hypervisor" makes br0, NAT and the DHCP
# decoy); only the debootstrap base differs, so the packages come from the Debian archive as well.
base_image "$here/host/packages.txt" "$here/hypervisor/packages.txt"
hyp_hash=$( { echo "$host_hash $base_hash"; } | sha256sum | cut -c1-16)
if [[ $(current imagecache-lab/hypervisor:dev) != "$hyp_hash" ]]; then
  log "building imagecache-lab/hypervisor:dev"
  ctx=$(mktemp -d)
  cp -a "$here/host/." "$ctx/" && cp "$tools/crictl" "$ctx/crictl"
  dbuild --build-arg BASE="$base_tag" --label imagecache.hash="$hyp_hash" -t imagecache-lab/hypervisor:dev "$ctx"
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
  dbuild --label imagecache.hash="$reg_hash" -t imagecache-lab/registry:2.8 "$ctx"
  rm -rf "$ctx"
fi

# Saved copy of the registry image for loading into lab docker hosts (docker load is fast).
save=$cache/lab/registry-2.8-$reg_hash.tar
if [[ ! -f $save ]]; then
  mkdir -p "$cache/lab" && docker save imagecache-lab/registry:2.8 -o "$save.partial" && mv "$save.partial" "$save"
fi
ln -sfn "$save" "$cache/lab/registry-2.8.tar"

# --- node images: containerd 1.7 and 2.x from Go modules ---------------------------------------------
"$root/scripts/install-node-tools.sh"
node_tools=$("$root/scripts/install-node-tools.sh" --list)
tool_dir() { awk -v p="$1" -v v="$2" '$1 == p && index($2, v) == 1 { print $3 }' <<<"$node_tools"; }
tool_version() { awk -v p="$1" -v v="$2" '$1 == p && index($2, v) == 1 { print $2 }' <<<"$node_tools"; }
bins_hash() { (cd "$1" && sha256sum -- *) | sha256sum | cut -c1-16; }
built=()
for line in "1.7 1.7" "2. 2"; do
  read -r prefix alias <<<"$line"
  version=$(tool_version containerd "$prefix"); bins=$(tool_dir containerd "$prefix")
  tag=imagecache-lab/node:$version
  node_hash=$( { hash_of node; echo "$host_hash $version"; bins_hash "$bins"; } | sha256sum | cut -c1-16)
  if [[ $(current "$tag") != "$node_hash" ]]; then
    log "building $tag"
    ctx=$(mktemp -d)
    cp -a "$here/node/." "$ctx/" && mkdir "$ctx/bin" && cp "$bins/containerd" "$bins/ctr" "$ctx/bin/"
    dbuild --build-arg HOST=imagecache-lab/host:dev --build-arg CONTAINERD_VERSION="$version" \
      --label imagecache.hash="$node_hash" -t "$tag" "$ctx"
    rm -rf "$ctx"
  fi
  docker tag "$tag" "imagecache-lab/node:$alias"
  built+=("$tag (node:$alias)")
done

# --- registry 3 image: distribution 3 from Go modules ---------------------------------------------
d3=$(tool_version distribution 3); d3_bins=$(tool_dir distribution 3)
reg3_tag=imagecache-lab/registry:$d3
reg3_hash=$( { hash_of registry-3; echo "$d3"; bins_hash "$d3_bins"; } | sha256sum | cut -c1-16)
if [[ $(current "$reg3_tag") != "$reg3_hash" ]]; then
  log "building $reg3_tag"
  ctx=$(mktemp -d)
  cp "$here/registry-3/Dockerfile" "$ctx/"
  r=$ctx/rootfs
  mkdir -p "$r/bin" "$r/etc/distribution" "$r/var/lib/registry" "$r/tmp" "$r/etc/ssl/certs"
  cp "$d3_bins/registry" "$r/bin/registry"   # static (CGO_ENABLED=0): no libraries needed
  cp "$here/registry-3/config.yml" "$r/etc/distribution/config.yml"
  cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  chmod 1777 "$r/tmp"
  dbuild --label imagecache.hash="$reg3_hash" --label imagecache.distribution.version="$d3" \
    -t "$reg3_tag" "$ctx"
  rm -rf "$ctx"
fi
docker tag "$reg3_tag" imagecache-lab/registry:3
save3=$cache/lab/registry-3-$reg3_hash.tar
if [[ ! -f $save3 ]]; then
  mkdir -p "$cache/lab" && docker save imagecache-lab/registry:3 "$reg3_tag" -o "$save3.partial" && mv "$save3.partial" "$save3"
fi
ln -sfn "$save3" "$cache/lab/registry-3.tar"

# --- the registry VM's base disk (qcow2 under $IMAGECACHE_CACHE/vm; vm/build.sh) ---------------------
"$here/vm/build.sh"

log "images ready: imagecache-lab/host:dev imagecache-lab/hypervisor:dev imagecache-lab/registry:2.8 ${built[*]} $reg3_tag (registry:3)"

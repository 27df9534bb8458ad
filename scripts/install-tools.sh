#!/usr/bin/env bash
# Installs everything the build, the lab and the tests need on a fresh Debian 12 machine.
# Idempotent: a second run only checks. Go-built tools are cached outside the checkout under
# $IMAGECACHE_CACHE (default $HOME/.cache/imagecache), keyed by the hash of their pinned go.mod/go.sum.
#
#   scripts/install-tools.sh            install packages, start dockerd, build tools
#   scripts/install-tools.sh --bin-dir print the directory holding pulumi, the language hosts and crictl
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
tools_src=$root/scripts/tools

log() { printf '[tools] %s\n' "$*" >&2; }

tools_key() {
  (cd "$tools_src" && cat */go.mod */go.sum "$root/scripts/install-tools.sh") | sha256sum | cut -c1-16
}

bin_dir() { printf '%s/tools/%s/bin\n' "$cache" "$(tools_key)"; }

if [[ ${1:-} == --bin-dir ]]; then
  bin_dir
  exit 0
fi

# --- Debian packages --------------------------------------------------------------------------
# docker.io: the lab's engine; containerd/runc come with it. docker-registry: distribution 2.8.
# skopeo: copies test images. openssh: client for tests. debootstrap: builds lab images offline.
# apache2-utils: htpasswd for the authenticated test registry. openssl: certificates for the
# token-auth registry. cron: jobs on the lab hosts. jq: scripts.
packages=(docker.io containerd runc docker-registry skopeo openssh-client openssh-server debootstrap
  iproute2 procps curl jq apache2-utils openssl ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- dockerd ----------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  if ! pgrep -x dockerd >/dev/null; then
    mkdir -p /var/log
    nohup /usr/sbin/dockerd >/var/log/imagecache-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/imagecache-dockerd.log"; exit 1; }
fi

# --- Go-built tools -----------------------------------------------------------------------------
bin=$(bin_dir)
want=(pulumi pulumi-language-yaml pulumi-language-java crictl)
have_all=1
for b in "${want[@]}"; do [[ -x $bin/$b ]] || have_all=0; done
if ((have_all)); then
  log "tools cached in $bin"
  exit 0
fi

# The module proxy this machine is set up with (`go env GOPROXY`), without `direct`: only proxies are reachable.
export GOPROXY=$("$root/scripts/package-sources.sh" goproxy)
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
# pulumi-java's pkg module is not in the checksum database the proxy serves; go.sum pins it.
export GONOSUMDB=github.com/pulumi/pulumi-java
export GOCACHE=$cache/go-build GOMODCACHE=$cache/go-mod
tmp=$bin.partial
rm -rf "$tmp" && mkdir -p "$tmp"

build() { # module-dir ldflags tags package
  local dir=$1 ld=$2 tags=$3 pkg=$4
  log "building $(basename "$pkg") (module $dir)"
  (cd "$tools_src/$dir" && go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ld" -o "$tmp/" "$pkg")
}

pv=v3.259.0
build pulumi "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pv" osusergo,grpcnotrace \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
build yaml "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v1.38.1" "" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
build java "-X github.com/pulumi/pulumi-java/pkg/version.Version=v1.17.0" "" \
  github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java
build crictl "-X sigs.k8s.io/cri-tools/pkg/version.Version=v1.34.0" "" \
  sigs.k8s.io/cri-tools/cmd/crictl

rm -rf "$bin" && mv "$tmp" "$bin"
log "tools built in $bin"

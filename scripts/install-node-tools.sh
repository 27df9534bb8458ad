#!/usr/bin/env bash
# Builds the lab's node and registry binaries from pinned Go modules, cached outside the checkout:
#   containerd 1.7.x   (containerd, ctr)   module scripts/tools/nodes/containerd-1.7
#   containerd 2.x     (containerd, ctr)   module scripts/tools/nodes/containerd-2
#   distribution 3.x   (registry)          module scripts/tools/nodes/distribution-3
# into $IMAGECACHE_CACHE/nodes/<key>/<project>-<version>/, where <key> hashes these modules and this
# script only (so a change here does not rebuild the Pulumi tools, and the reverse). Idempotent: a
# second run only checks. Called by scripts/install-tools.sh (make tools).
#
#   scripts/install-node-tools.sh          build what is missing
#   scripts/install-node-tools.sh --dir    print the cache directory (it holds containerd-1.7.35/ ...)
#   scripts/install-node-tools.sh --list   print "<project> <version> <dir>" per built tool set
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
src=$root/scripts/tools/nodes

log() { printf '[tools] %s\n' "$*" >&2; }

key() {
  (cd "$src" && cat */go.mod */go.sum "$root/scripts/install-node-tools.sh") | sha256sum | cut -c1-16
}
dir=$cache/nodes/$(key)

# The upstream module's version as pinned in a tool module's go.mod (e.g. 1.7.35, without the v).
pinned() { # tool-module upstream-module
  local v
  v=$(awk -v m="$2" '$1 == m { print $2 }' "$src/$1/go.mod")
  [[ -n $v ]] || { log "no $2 in $src/$1/go.mod"; exit 1; }
  printf '%s\n' "${v#v}"
}
c17=$(pinned containerd-1.7 github.com/containerd/containerd)
c2=$(pinned containerd-2 github.com/containerd/containerd/v2)
d3=$(pinned distribution-3 github.com/distribution/distribution/v3)

case ${1:-} in
  --dir) printf '%s\n' "$dir"; exit 0 ;;
  --list)
    printf 'containerd %s %s\n' "$c17" "$dir/containerd-$c17"
    printf 'containerd %s %s\n' "$c2" "$dir/containerd-$c2"
    printf 'distribution %s %s\n' "$d3" "$dir/distribution-$d3"
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--dir|--list]" >&2; exit 2 ;;
esac

want=("containerd-$c17/containerd" "containerd-$c17/ctr" "containerd-$c2/containerd" "containerd-$c2/ctr"
  "distribution-$d3/registry")
have_all=1
for b in "${want[@]}"; do [[ -x $dir/$b ]] || have_all=0; done
if ((have_all)); then
  log "node tools cached in $dir"
  exit 0
fi

# The module proxy this machine is set up with (`go env GOPROXY`), without `direct`: only proxies are reachable.
export GOPROXY=$("$root/scripts/package-sources.sh" goproxy)
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
export GOCACHE=${GOCACHE_IMAGECACHE:-$cache/go-build} GOMODCACHE=${GOMODCACHE_IMAGECACHE:-$cache/go-mod}
# Static, cgo-free binaries: they run on the Debian lab hosts and in a scratch image alike.
export CGO_ENABLED=0
tmp=$dir.partial
rm -rf "$tmp" && mkdir -p "$tmp"

build() { # module-dir out-subdir tags ldflags package
  local mod=$1 out=$tmp/$2 tags=$3 ld=$4 pkg=$5 t0=$SECONDS
  mkdir -p "$out"
  (cd "$src/$mod" && go build -trimpath -tags "$tags" -ldflags "$ld" -o "$out/" "$pkg")
  log "built $2/$(basename "$pkg") in $((SECONDS - t0)) s"
}

# containerd: the upstream Makefile's tags (urfave_cli_no_docs) plus no_btrfs (needs cgo and
# libbtrfs), no_devmapper and no_zfs (snapshotters a lab node never uses); -s -w as its release builds.
ctags=urfave_cli_no_docs,no_btrfs,no_devmapper,no_zfs
p=github.com/containerd/containerd
ld="-s -w -X $p/version.Version=v$c17 -X $p/version.Package=$p"
build containerd-1.7 "containerd-$c17" "$ctags" "$ld" $p/cmd/containerd
build containerd-1.7 "containerd-$c17" "$ctags" "$ld" $p/cmd/ctr
p=github.com/containerd/containerd/v2
ld="-s -w -X $p/version.Version=v$c2 -X $p/version.Package=$p"
build containerd-2 "containerd-$c2" "$ctags" "$ld" $p/cmd/containerd
build containerd-2 "containerd-$c2" "$ctags" "$ld" $p/cmd/ctr
# distribution: the ldflags of its Dockerfile (version without the v, as the official image reports it).
p=github.com/distribution/distribution/v3
build distribution-3 "distribution-$d3" "" "-s -w -X $p/version.version=$d3 -X $p/version.mainpkg=$p" $p/cmd/registry

rm -rf "$dir" && mv "$tmp" "$dir"
log "node tools built in $dir"

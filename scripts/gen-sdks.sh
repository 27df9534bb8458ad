#!/usr/bin/env bash
# Generates the TypeScript, Python and Go SDKs from schema.json with our own generator
# (scripts/tools/sdkgen/generator: pkg/v3's codegen packages at the CLI's version; the language hosts
# that `pulumi package gen-sdk` would need for these languages cannot be built here).
#
#   scripts/gen-sdks.sh [outdir]   writes <outdir>/nodejs, <outdir>/python, <outdir>/go (default: sdk)
#   scripts/gen-sdks.sh --bin      builds the generator if needed and prints its path
#
# The generator binary is cached under $IMAGECACHE_CACHE/sdkgen/<hash of its go.mod, go.sum, main.go>.
# Its module sits one level down (generator/) so that install-tools.sh's key (scripts/tools/*/go.mod)
# does not change with it. sdk/go.mod and sdk/go.sum (the Go module around sdk/go) are kept by hand.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
src=$root/scripts/tools/sdkgen/generator

log() { printf '[sdkgen] %s\n' "$*" >&2; }

key=$(cd "$src" && cat go.mod go.sum main.go | sha256sum | cut -c1-16)
bin=$cache/sdkgen/$key/sdkgen

if [[ ! -x $bin ]]; then
  log "building the SDK generator (module $src)"
  GOPROXY=$("$root/scripts/package-sources.sh" goproxy)
  export GOPROXY GOTOOLCHAIN=local GOFLAGS=-mod=readonly GOCACHE=$cache/go-build GOMODCACHE=$cache/go-mod
  mkdir -p "$(dirname "$bin")"
  (cd "$src" && go build -trimpath -o "$bin.partial" .)
  mv "$bin.partial" "$bin"
fi

if [[ ${1:-} == --bin ]]; then
  printf '%s\n' "$bin"
  exit 0
fi

out=${1:-$root/sdk}
mkdir -p "$out"
# The upstream generators warn that Connection.proxy (a Connection itself) is recursive; that is expected.
"$bin" -schema "$root/schema.json" -out "$out" 2> >(grep -v 'Found recursive object "proxy"' >&2)

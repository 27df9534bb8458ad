#!/usr/bin/env bash
# Installs what the TypeScript, Python and Go SDKs and examples compile and run with, outside the
# checkout under $IMAGECACHE_CACHE (default $HOME/.cache/imagecache), each part keyed by the hash of
# its inputs, so a second run only checks. Package sources are the machine's own: npm's and pip's
# configuration, and the Go module proxy of `go env GOPROXY` (scripts/package-sources.sh).
#
#   scripts/install-lang-deps.sh                 install what is missing, then print name=dir lines:
#                                                node_modules=... venv=... gomodcache=... gocache=... sdkgen=...
#   scripts/install-lang-deps.sh --node-modules  print one of those directories (installs nothing)
#                                --venv | --gomodcache | --gocache
#
# node_modules: npm @pulumi/pulumi, typescript, @types/node, ts-node (scripts/lang-deps/package.json).
# venv: PyPI pulumi, parver, semver, mypy, setuptools, wheel (scripts/lang-deps/requirements.txt).
# gomodcache: every module sdk/go.mod and examples/go/go.mod need (github.com/pulumi/pulumi/sdk/v3).
# sdkgen: the SDK generator binary (scripts/gen-sdks.sh --bin).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
deps=$root/scripts/lang-deps
self=$root/scripts/install-lang-deps.sh

log() { printf '[lang-deps] %s\n' "$*" >&2; }
hash() { sha256sum | cut -c1-16; }

node_key() { { cat "$deps/package.json" "$self"; node --version; } | hash; }
venv_key() { { cat "$deps/requirements.txt" "$self"; python3 --version; } | hash; }
go_key() { { cat "$root/sdk/go.mod" "$root/sdk/go.sum" "$root/examples/go/go.mod" "$root/examples/go/go.sum"; go version; } | hash; }

node_modules_dir() { printf '%s/lang/node-%s/node_modules\n' "$cache" "$(node_key)"; }
venv_dir() { printf '%s/lang/venv-%s\n' "$cache" "$(venv_key)"; }
gomodcache_dir() { printf '%s/go-mod\n' "$cache"; }
gocache_dir() { printf '%s/go-build\n' "$cache"; }

case ${1:-} in
  --node-modules) node_modules_dir; exit 0 ;;
  --venv) venv_dir; exit 0 ;;
  --gomodcache) gomodcache_dir; exit 0 ;;
  --gocache) gocache_dir; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--node-modules | --venv | --gomodcache | --gocache]" >&2; exit 2 ;;
esac

# node, npm and python3 (with venv) come from Debian where the machine has none; go comes with install-tools.sh's set-up.
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3 python3-venv)
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { log "go is not installed (scripts/install-tools.sh needs it too)"; exit 1; }

# --- npm ----------------------------------------------------------------------------------------
nm=$(node_modules_dir)
if [[ ! -f $nm/.imagecache-complete ]]; then
  dir=$(dirname "$nm")
  log "installing npm packages into $dir"
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  cp "$deps/package.json" "$dir.partial/"
  (cd "$dir.partial" && npm install --no-audit --no-fund --loglevel=error >&2)
  touch "$dir.partial/node_modules/.imagecache-complete"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
fi

# --- Python venv --------------------------------------------------------------------------------
venv=$(venv_dir)
if [[ ! -f $venv/.imagecache-complete ]]; then
  log "making a Python venv with the SDK's dependencies in $venv"
  # made at its final place (a venv's scripts name their own path); complete only with the marker
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$deps/requirements.txt" >&2
  touch "$venv/.imagecache-complete"
fi

# --- Go modules ---------------------------------------------------------------------------------
gomod=$(gomodcache_dir)
go_done=$cache/lang/go-$(go_key).complete
if [[ ! -f $go_done ]]; then
  log "downloading the Go modules of sdk/ and examples/go into $gomod"
  GOPROXY=$("$root/scripts/package-sources.sh" goproxy)
  export GOPROXY GOTOOLCHAIN=local GOFLAGS=-mod=readonly GOMODCACHE=$gomod
  (cd "$root/sdk" && go mod download)
  (cd "$root/examples/go" && go mod download)
  mkdir -p "$(dirname "$go_done")" && touch "$go_done"
fi
# The Go example compiled once here, into Go's build cache, with no time limit: the tests build it again (several
# at once, each within a time limit) and then only link. Cold, the Pulumi Go SDK and gRPC take minutes on two
# cores; two tests compiling them side by side on a loaded machine did not finish in 10 minutes. Warm: seconds.
log "compiling examples/go into Go's build cache $(gocache_dir)"
(cd "$root/examples/go" && GOMODCACHE=$gomod GOCACHE=$(gocache_dir) GOFLAGS=-mod=readonly GOPROXY=off \
  GOTOOLCHAIN=local go build -o /dev/null .)

# --- the SDK generator (scripts/gen-sdks.sh builds and caches it; SdkDriftIT runs it) ------------
sdkgen=$("$root/scripts/gen-sdks.sh" --bin)

printf 'node_modules=%s\nvenv=%s\ngomodcache=%s\ngocache=%s\nsdkgen=%s\n' "$nm" "$venv" "$gomod" "$(gocache_dir)" "$sdkgen"

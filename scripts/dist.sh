#!/usr/bin/env bash
# Packages imagecache the way each ecosystem installs it:
#   plugin    dist/pulumi-resource-imagecache-v<version>-linux-amd64.tar.gz: the launcher, the jar and lib/ at
#             the top, as `pulumi plugin install resource imagecache <version> --file <tarball>` unpacks it
#             into ~/.pulumi/plugins/resource-imagecache-v<version>/ (the launcher finds the jar beside it)
#   java-sdk  io.imagecache:imagecache-sdk:<version> (sdk/java) installed to the local Maven repository
#   nodejs    dist/imagecache-pulumi-<version>.tgz: sdk/nodejs compiled with tsc and packed (`npm install <tgz>`)
#   python    dist/pulumi_imagecache-<version>-py3-none-any.whl (`pip install <whl>`)
#   go        nothing to build: the Go SDK is the module github.com/imagecache/pulumi-imagecache/sdk (sdk/go.mod);
#             a program uses it with `go get` or, from a checkout, a `replace` directive pointing at sdk/
#
#   scripts/dist.sh [--no-build] [--out DIR] [plugin] [java-sdk] [nodejs] [python]   (no part named: all of them)
# --no-build packs provider/target/dist as it is (the tests, inside a build that just made it).
# The version is schema.json's.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/dist
build=1
parts=()
while (($#)); do
  case $1 in
    --no-build) build=0 ;;
    --out) out=$2; shift ;;
    plugin | java-sdk | nodejs | python) parts+=("$1") ;;
    *) echo "dist: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
((${#parts[@]})) || parts=(plugin java-sdk nodejs python)
mvn=(mvn -B -ntp -q)
version=$(jq -r .version "$root/schema.json")
log() { printf '[dist] %s\n' "$*" >&2; }

plugin() {
  if ((build)); then
    (cd "$root" && "${mvn[@]}" -pl provider -am package -Dmaven.test.skip=true)
  fi
  local dist=$root/provider/target/dist
  [[ -f $dist/imagecache-provider.jar && -d $dist/lib ]] || { log "no $dist (run: make provider)"; exit 1; }
  local stage
  stage=$(mktemp -d)
  chmod 0755 "$stage"
  install -m 0755 "$root/provider/bin/pulumi-resource-imagecache" "$stage/pulumi-resource-imagecache"
  install -m 0644 "$dist/imagecache-provider.jar" "$stage/"
  mkdir "$stage/lib"
  install -m 0644 "$dist"/lib/*.jar "$stage/lib/"
  mkdir -p "$out"
  local tarball=$out/pulumi-resource-imagecache-v$version-linux-amd64.tar.gz
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" -cf - . | gzip -n >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -rf "$stage"
  log "plugin: $tarball"
  echo "$tarball"
}

java_sdk() {
  "${mvn[@]}" -f "$root/sdk/java/pom.xml" install
  log "java-sdk: io.imagecache:imagecache-sdk:$version in the local Maven repository"
}

# The TypeScript compiler, npm's @pulumi/pulumi and the Python venv come from the project's own installer.
nodejs() {
  local modules stage
  modules=$("$root/scripts/install-lang-deps.sh" --node-modules)
  stage=$(mktemp -d)
  cp -r "$root/sdk/nodejs/." "$stage/"
  ln -s "$modules" "$stage/node_modules"
  (cd "$stage" && "$modules/.bin/tsc" -p . && cp package.json README.md bin/)
  mkdir -p "$out"
  (cd "$stage" && npm_config_update_notifier=false npm pack ./bin --offline --pack-destination "$out" --loglevel=error >/dev/null)
  rm -rf "$stage"
  log "nodejs: $out/imagecache-pulumi-$version.tgz"
}

python() {
  local venv stage
  venv=$("$root/scripts/install-lang-deps.sh" --venv)
  stage=$(mktemp -d)   # setuptools writes build/ and *.egg-info beside the sources: not into the checkout
  cp -r "$root/sdk/python/." "$stage/"
  mkdir -p "$out"
  "$venv/bin/python" -m pip wheel --no-deps --no-build-isolation --no-index --quiet --disable-pip-version-check \
    -w "$out" "$stage"
  rm -rf "$stage"
  log "python: $(ls "$out"/pulumi_imagecache-*.whl)"
}

for p in "${parts[@]}"; do
  case $p in
    plugin) plugin ;;
    java-sdk) java_sdk ;;
    nodejs) nodejs ;;
    python) python ;;
  esac
done

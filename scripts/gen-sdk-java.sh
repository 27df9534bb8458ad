#!/usr/bin/env bash
# Generates the Java SDK from schema.json with `pulumi package gen-sdk --language java` (our pulumi build
# and pulumi-language-java, found on PATH in the tools bin directory). The schema's
# `language.java.buildFiles: none` makes it emit sources only; sdk/java/pom.xml is ours and is kept.
# gen-sdk reads the schema file itself: it starts the Java language host, never the provider plugin, so
# plugin acquisition stays off and nothing is downloaded.
#
#   scripts/gen-sdk-java.sh            regenerate sdk/java (src/ and README.md; pom.xml untouched)
#   scripts/gen-sdk-java.sh OUT_DIR    write what it would generate to OUT_DIR (the drift test compares)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-$root/sdk/java}
bin=${IMAGECACHE_TOOLS_BIN:-$("$root/scripts/install-tools.sh" --bin-dir)}
[[ -x $bin/pulumi && -x $bin/pulumi-language-java ]] || { echo "gen-sdk-java: pulumi or pulumi-language-java missing in $bin (run: make tools)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
PATH="$bin:$PATH" PULUMI_HOME="$work/home" PULUMI_SKIP_UPDATE_CHECK=true \
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_DISABLE_REGISTRY_RESOLVE=true \
  "$bin/pulumi" package gen-sdk "$root/schema.json" --language java --out "$work/out" >"$work/log" 2>&1 \
  || { cat "$work/log" >&2; exit 1; }

mkdir -p "$target"
rm -rf "$target/src" "$target/README.md"
cp -R "$work/out/java/." "$target/"
echo "gen-sdk-java: wrote $target" >&2

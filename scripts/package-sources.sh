#!/usr/bin/env bash
# Prints where this machine gets its packages from, as its own configuration says, so that no
# registry's host is named in the project:
#   package-sources.sh goproxy       the Go module proxies of `go env GOPROXY`, without `direct`/`off`
#                                    (only the proxies are reachable from these machines)
#   package-sources.sh debian-mirror the Debian archive apt uses for the main suite (for debootstrap)
set -euo pipefail

goproxy() {
  local raw list
  raw=${GOPROXY_IMAGECACHE:-$(go env GOPROXY)}
  list=$(printf '%s\n' "$raw" | tr ',|' '\n\n' | grep -vxE 'direct|off|' | paste -sd, -) || true
  if [[ -z $list ]]; then
    echo "package-sources: GOPROXY ($raw) names no module proxy; set GOPROXY (or GOPROXY_IMAGECACHE) to one" >&2
    exit 1
  fi
  printf '%s\n' "$list"
}

debian_mirror() {
  local suite=${1:-bookworm} uri="" etc=${APT_ETC_IMAGECACHE:-/etc/apt}
  if [[ -n ${DEBIAN_MIRROR_IMAGECACHE:-} ]]; then
    printf '%s\n' "$DEBIAN_MIRROR_IMAGECACHE"
    return
  fi
  # deb822 sources: the first stanza with this suite (exactly, not -security/-updates) and "main"
  shopt -s nullglob
  for f in "$etc"/sources.list.d/*.sources; do
    uri=$(awk -v suite="$suite" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && comps ~ /(^| )main( |$)/ && uris != "" && found == "") { split(uris, u, " "); found = u[1] } types = suites = comps = uris = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      /^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
      /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      /^Components:/ { sub(/^Components:[[:space:]]*/, ""); comps = $0 }
      END { flush(); if (found != "") print found }' "$f")
    [[ -n $uri ]] && break
  done
  # one-line sources: deb [options] uri suite components...
  if [[ -z $uri ]]; then
    for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      uri=$(awk -v suite="$suite" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == suite) { for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit } } }' "$f")
      [[ -n $uri ]] && break
    done
  fi
  if [[ -z $uri ]]; then
    echo "package-sources: apt has no source for Debian $suite main; add one (or set DEBIAN_MIRROR_IMAGECACHE)" >&2
    exit 1
  fi
  printf '%s\n' "${uri%/}"
}

case ${1:-} in
  goproxy) goproxy ;;
  debian-mirror) debian_mirror "${2:-bookworm}" ;;
  *) echo "usage: $0 goproxy | debian-mirror [suite]" >&2; exit 2 ;;
esac

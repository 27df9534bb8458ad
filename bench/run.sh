#!/usr/bin/env bash
# `make bench`: issue 11's benchmarks, one part at a time; each writes bench/results/<part>.tsv (one line per
# measurement) and <part>.json (medians with min/max, ratios), and prints its table. BENCHMARKS.md says what each
# figure is and which command made it.
#
#   bench/run.sh [startup] [preview] [calls] [fleet] [cache] [migration]   (none named: every part measured so far)
#   RUNS=N       runs per variant (default 15 for startup, 9 for preview)
#
#   startup    provider start-up (launcher to port line) per JVM variant, against the Go YAML language host
#   preview    a no-op `pulumi preview` of one resource (examples/maintenance-schedule on a lab Docker host)
#   fleet      N light nodes (FLEET=10,50,100) behind one registry host: PullThroughCache's first up, no-op preview/up/
#              refresh and a one-mirror change, against Debian's Ansible (bench/peers/mirrors.yml) and one ssh per
#              node (the floor), counted on the nodes; plot.py draws fleet.png (installs ansible, python3-matplotlib).
#              TOOLS=pulumi (or ansible, floor) runs only those; ENGINE_LOG=<dir> keeps the engine's log (-v=7) of
#              pulumi's first up and mirror change (bench/steps.py reads it: where the time goes). Other than the default FLEET and TOOLS,
#              results go to fleet-<sizes>-<tools>.* beside the committed fleet.*; PARALLEL=N gives every pulumi
#              command --parallel N (the engine's default is 4 per CPU); PLUGIN=path runs the provider from provider/bin
#              (as the tests do) instead of installed from its tarball (as users do; the engine then starts it once per
#              command, not twice)
#   calls      the provider's answers to a mirror change's preview pass on NODES nodes (default 50): Check, Diff and the
#              preview Update of each ContainerdMirror, one after another as the engine sends them, each run a fresh plugin
#              process (RUNS, default 5); no host, no engine. OUT=name writes bench/results/name.*; PLUGIN_ENV='K=V;K=V'
#              is given to the timed plugin processes (IMAGECACHE_JAVA_OPTS=..., IMAGECACHE_JFR=/tmp/calls-%p.jfr)
#   cache      crictl pull of a ~100 MB image on a containerd 2.x node: direct from the upstream, cold and warm through
#              the proxy, and with the mirror's port dropped (fallback), with and without dialTimeout
#   migration  N nodes (NODES=10) set up the runbook's way (a hand-made Docker Hub proxy, the wildcard mirror) pulling in
#              a loop while PullThroughCache migrates them in batches of BATCH (default 2): failed pulls, longest gap
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/results
tools=$("$root/scripts/install-tools.sh" --bin-dir)
log() { printf '[bench] %s\n' "$*" >&2; }
parts=("$@")
((${#parts[@]})) || parts=(startup preview calls fleet cache migration)

# The JDKs: the one the launcher uses by default (JAVA_HOME, else java on PATH) and Temurin 25 where it is installed
java_home() { dirname "$(dirname "$(readlink -f "$(command -v java)")")"; }
java17=${JAVA_HOME:-$(java_home)}
java25=${BENCH_JAVA25:-}
if [[ -z $java25 ]]; then
  for d in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/temurin-25* /opt/java/temurin-25*; do
    [[ -x $d/bin/java ]] && { java25=$d; break; }
  done
fi

provider() {
  [[ -f $root/provider/target/dist/imagecache-provider.jar ]] || { log "no provider jar: run make provider"; exit 1; }
  local l=$root/provider/bin/pulumi-resource-imagecache
  # the archives the measured variants use, as `make provider` builds them (kept when they still fit)
  [[ $("$l" --jvm-cache-path) != none ]] || "$l" --build-jvm-cache "$root/provider/target/dist/jvm" >/dev/null
  if [[ -n $java25 && $(IMAGECACHE_JAVA_HOME=$java25 "$l" --jvm-cache-path) == none ]]; then
    IMAGECACHE_JAVA_HOME=$java25 "$l" --build-jvm-cache "$root/provider/target/dist/jvm" >/dev/null 2>&1
  fi
}

startup() {
  provider
  log "startup: $java17${java25:+ and $java25}; the Go reference: $tools/pulumi-language-yaml"
  python3 "$root/bench/startup.py" --runs "${RUNS:-15}" --out "$out" \
    --launcher "$root/provider/bin/pulumi-resource-imagecache" --jar "$root/provider/target/dist/imagecache-provider.jar" \
    --java17 "$java17" ${java25:+--java25 "$java25"} --go-plugin "$tools/pulumi-language-yaml" ${BENCH_BEFORE:+--before "$BENCH_BEFORE"}
}

preview() {
  log "preview: examples/maintenance-schedule on a lab Docker host (the provider jar is rebuilt by this mvn run)"
  (cd "$root" && mvn -B -ntp -q -pl lab,provider,examples -am verify -Dit.test=PreviewBench -Dtest=NONE \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-9}" \
    ${java25:+-Dbench.java25="$java25"})
}

fleet() {
  local missing=()
  command -v ansible-playbook >/dev/null || missing+=(ansible)
  /usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (Debian)"
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
  fi
  # the committed results (fleet.*) come from the default sizes and every tool; anything else is written beside them
  local name=fleet
  [[ ${FLEET:-10,50,100} == 10,50,100 && ${TOOLS:-pulumi,ansible,floor} == pulumi,ansible,floor && -z ${PARALLEL:-}${PLUGIN:-} ]] \
    || name=fleet-${FLEET:-10,50,100}-${TOOLS:-all}${PARALLEL:+-p$PARALLEL}${PLUGIN:+-$PLUGIN}
  name=${name//,/-}
  log "fleet: N=${FLEET:-10,50,100}, ${RUNS:-3} runs of each no-op, batches of ${BATCH:-10}, ${TOOLS:-every tool} -> $name.*" \
    "(the provider jar is rebuilt by this mvn run)"
  (cd "$root" && mvn -B -ntp -q -pl lab,provider,examples -am verify -Dit.test=FleetBench -Dtest=NONE \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-3}" \
    -Dbench.fleet="${FLEET:-10,50,100}" -Dbench.batch="${BATCH:-10}" -Dbench.tools="${TOOLS:-pulumi,ansible,floor}" \
    -Dbench.out="$name" ${ENGINE_LOG:+-Dbench.engineLog="$ENGINE_LOG"} ${PARALLEL:+-Dbench.parallel="$PARALLEL"} ${PLUGIN:+-Dbench.plugin="$PLUGIN"})
  if [[ $name == fleet ]]; then /usr/bin/python3 "$root/bench/plot.py" "$out"; fi
}

migration() {
  log "migration: ${NODES:-10} nodes, batches of ${BATCH:-2}, ${RUNS:-3} runs (a fresh lab each; the provider jar is rebuilt by this mvn run)"
  (cd "$root" && mvn -B -ntp -q -pl lab,provider,examples -am verify -Dit.test=MigrationBench -Dtest=NONE \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-3}" \
    -Dbench.nodes="${NODES:-10}" -Dbench.batch="${BATCH:-2}")
}

calls() {
  log "calls: ${NODES:-50} nodes, ${RUNS:-5} fresh plugin processes (the provider jar is rebuilt by this mvn run)"
  (cd "$root" && mvn -B -ntp -q -pl provider -am verify -Dit.test=CallsBench -Dtest=NONE \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-5}" \
    -Dbench.nodes="${NODES:-50}" ${OUT:+-Dbench.out="$OUT"} ${PLUGIN_ENV:+-Dbench.env="$PLUGIN_ENV"})
}

cache() {
  log "cache: a ${IMAGE_MB:-100} MB image, ${RUNS:-5} runs per case (the provider jar is rebuilt by this mvn run)"
  (cd "$root" && mvn -B -ntp -q -pl lab,provider,examples -am verify -Dit.test=CacheBench -Dtest=NONE \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-5}" \
    -Dbench.imageMb="${IMAGE_MB:-100}")
}

mkdir -p "$out"
for p in "${parts[@]}"; do
  case $p in
    startup) startup ;;
    preview) preview ;;
    fleet) fleet ;;
    calls) calls ;;
    cache) cache ;;
    migration) migration ;;
    *) log "unknown part $p"; exit 2 ;;
  esac
done

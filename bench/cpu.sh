#!/bin/bash
# Where the machine's CPU goes while a benchmark runs (cgroup v1's cpuacct; root):
#
#   bench/cpu.sh <samples.tsv> <command...>      e.g. bench/cpu.sh /tmp/cpu.tsv make bench PARTS=fleet FLEET=50 ENGINE_LOG=/tmp/e
#
# runs the command in a cpuacct group of its own (imagecache-bench) and moves every provider JVM it starts
# (imagecache-provider.jar) into a child group, then writes a line every 0.2 s: epoch seconds, then the CPU
# nanoseconds so far of the whole machine, of the containers (docker's group: the lab's nodes and registry
# host), of the command (engine, language host, ssh clients, the bench's JVM, providers included) and of the
# providers. bench/cpu.py splits them by the engine logs' time windows. The sampling itself costs about a
# tenth of a core (one pgrep per sample).
set -euo pipefail
out=${1:?samples file}; shift
(( $# > 0 )) || { echo "bench/cpu.sh: no command given" >&2; exit 2; }
c=/sys/fs/cgroup/cpuacct
[[ -f $c/cpuacct.usage ]] || { echo "bench/cpu.sh: no cgroup v1 cpuacct hierarchy at $c" >&2; exit 1; }
g=$c/imagecache-bench
mkdir -p "$g/provider"
usage() { cat "$1/cpuacct.usage" 2>/dev/null || echo 0; }
sample() {
  while :; do
    for p in $(pgrep -f imagecache-provider.jar || true); do echo "$p" > "$g/provider/cgroup.procs" 2>/dev/null || true; done
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s.%N)" "$(usage $c)" "$(usage $c/docker)" "$(usage $g)" "$(usage $g/provider)"
    sleep 0.2
  done > "$out"
}
sample & sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
# the command in the group: it and everything it starts (a provider moved on into the child group)
bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' cpu "$g" "$@"

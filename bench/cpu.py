#!/usr/bin/env python3
"""CPU by part over each engine log's time window, from bench/cpu.sh's samples:

    bench/cpu.py <samples.tsv> <dir>/fleet-50-mirror-change.log [more engine logs]

For each log (the engine's -v=7 JSON lines, as bench/run.sh fleet keeps them with ENGINE_LOG=<dir>): its wall time
and the CPU seconds in it of the lab's containers (nodes and registry host), the providers, the rest of the bench's
command (engine, language host, the bench's JVM) and everything else on the machine (dockerd, the sampler)."""
import sys

from steps import engine_lines, when


def window(path):
    times = []
    for line in engine_lines(path):
        try:
            times.append(when(line))
        except (KeyError, ValueError):
            pass
    if not times:
        sys.exit(f"{path}: no JSON log lines with times")
    return times[0], times[-1]


def main(samples, logs):
    rows = []
    with open(samples, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 5:
                rows.append([float(x) for x in fields])
    if len(rows) < 2:
        sys.exit(f"{samples}: fewer than two samples")
    print(f"{'operation':44} {'wall s':>6} {'cpu s':>6} {'nodes':>6} {'provider':>8} {'engine+':>7} {'other':>6}")
    for log in logs:
        t0, t1 = window(log)
        a = min(rows, key=lambda r: abs(r[0] - t0))
        b = min(rows, key=lambda r: abs(r[0] - t1))
        total, docker, bench, provider = [(b[i] - a[i]) / 1e9 for i in range(1, 5)]
        name = log.rsplit("/", 1)[-1].removesuffix(".log")
        print(f"{name:44} {b[0] - a[0]:6.2f} {total:6.2f} {docker:6.2f} {provider:8.2f} {bench - provider:7.2f} "
              f"{total - docker - bench:6.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])

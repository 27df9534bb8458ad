#!/usr/bin/env python3
"""Start-up of the provider (launcher to the port line on stdout) against a Go plugin's.

Each variant is started RUNS times, the variants taking turns (round r runs every variant once, in order), so a
load that comes and goes on the machine falls on all of them alike; one warm-up round first is not counted. For each
start: the wall time from spawn to the first stdout line (which must be a port), and the CPU time the process had
used by then (utime+stime of /proc/PID/stat, 10 ms ticks), which a busy machine inflates less. The process is
ended (SIGTERM, then SIGKILL after 10 s) after each start.

  bench/startup.py --launcher L --jar J --java17 HOME --java25 HOME --go-plugin BIN [--runs N] [--out DIR]
                   [--only NAME,NAME] [--before OLD_LAUNCHER]

Writes DIR/startup.tsv (one line per start) and DIR/startup.json (median, min, max per variant; ratios to the Go
plugin's median), and prints the summary table.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def start_once(argv, env):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline()
    wall = (time.perf_counter() - t0) * 1000
    try:
        cpu = cpu_ms(p.pid)
    except OSError:
        cpu = float("nan")
    p.terminate()
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    if not line.strip().isdigit():
        raise SystemExit(f"{argv[0]}: first stdout line is not a port: {line!r}; stderr: {err.decode(errors='replace')[-2000:]}")
    return wall, cpu


def summary(xs):
    return {"median": round(statistics.median(xs), 1), "min": round(min(xs), 1), "max": round(max(xs), 1)}


def variants(a):
    base = dict(os.environ)
    base.pop("IMAGECACHE_JAVA_OPTS", None)

    def env(**kw):
        e = dict(base)
        e.pop("IMAGECACHE_JAVA_HOME", None)
        e.update(kw)
        return e

    j17 = os.path.join(a.java17, "bin", "java")
    v = []
    if a.before:
        v.append(("before", "an earlier build's launcher and jar (--before), Java 17", [a.before],
                  env(JAVA_HOME=a.java17)))
    v += [
        ("java17-plain", "Java 17, `java -jar` with no flags (no launcher)", [j17, "-jar", a.jar],
         env()),
        ("java17-flags", "launcher on Java 17, its flags, no archive (IMAGECACHE_JVM_CACHE=off)", [a.launcher],
         env(IMAGECACHE_JAVA_HOME=a.java17, IMAGECACHE_JVM_CACHE="off")),
        ("java17-appcds", "launcher on Java 17 with the AppCDS archive (the default here)", [a.launcher],
         env(IMAGECACHE_JAVA_HOME=a.java17)),
    ]
    if a.java25:
        v += [
            ("java25-flags", "launcher on Temurin 25, no AOT cache", [a.launcher],
             env(IMAGECACHE_JAVA_HOME=a.java25, IMAGECACHE_JVM_CACHE="off")),
            ("java25-aot", "launcher on Temurin 25 with the AOT cache (IMAGECACHE_JAVA_HOME)", [a.launcher],
             env(IMAGECACHE_JAVA_HOME=a.java25)),
        ]
    if a.go_plugin:
        v.append(("go-yaml-host", "pulumi-language-yaml (Go), the reference", [a.go_plugin], env()))
    if a.only:
        keep = a.only.split(",")
        v = [x for x in v if x[0] in keep]
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--launcher", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--java17", required=True)
    ap.add_argument("--java25", default="")
    ap.add_argument("--go-plugin", default="")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--only", default="")
    ap.add_argument("--before", default="", help="the launcher of an earlier build, for a before/after")
    a = ap.parse_args()

    vs = variants(a)
    os.makedirs(a.out, exist_ok=True)
    rows = []
    load_before = os.getloadavg()
    for r in range(a.runs + 1):
        for name, _, argv, env in vs:
            wall, cpu = start_once(argv, env)
            if r > 0:
                rows.append((name, r, wall, cpu))
    load_after = os.getloadavg()

    with open(os.path.join(a.out, "startup.tsv"), "w") as f:
        f.write("variant\trun\twall_ms\tcpu_ms\n")
        for name, r, wall, cpu in rows:
            f.write(f"{name}\t{r}\t{wall:.1f}\t{cpu:.0f}\n")
    res = {}
    for name, desc, argv, env in vs:
        walls = [w for n, _, w, _ in rows if n == name]
        cpus = [c for n, _, _, c in rows if n == name]
        res[name] = {"what": desc, "wall_ms": summary(walls), "cpu_ms": summary(cpus)}
    go = res.get("go-yaml-host")
    for name, x in res.items():
        if go:
            x["ratio_to_go"] = round(x["wall_ms"]["median"] / go["wall_ms"]["median"], 2)
    out = {
        "part": "startup",
        "runs": a.runs,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"nproc": os.cpu_count(), "kernel": platform.release(),
                    "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in load_after]},
        "variants": res,
    }
    with open(os.path.join(a.out, "startup.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"start-up to the port line, {a.runs} runs each (interleaved); load average {load_before[0]:.1f} -> {load_after[0]:.1f}")
    print(f"{'variant':<15} {'wall median [min-max] ms':<28} {'cpu median ms':>13} {'x go':>6}")
    for name, x in res.items():
        w = x["wall_ms"]
        print(f"{name:<15} {w['median']:>7.0f} [{w['min']:.0f}-{w['max']:.0f}]{'':<12} {x['cpu_ms']['median']:>13.0f} "
              f"{x.get('ratio_to_go', float('nan')):>6.2f}")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Where a `pulumi up` spends its time, from the engine's own log (`-v=7 --logtostderr`, JSON lines with
nanosecond times), as bench/run.sh fleet keeps it with ENGINE_LOG=<dir>:

    bench/steps.py <dir>/fleet-50-mirror-change.log

Prints every provider operation (Create, Update, Delete, Read of each resource: from the engine's "executing" to its
"success"/"failed", offsets from the log's first line), then the phases: before the first operation (the engine
starting, the preview pass of `up --yes`, the plugins), the operations, and after the last; how many operations ran
at once (the engine's --parallel caps it), and the gaps when nothing ran."""
import json
import re
import sys
from datetime import datetime, timezone

# Create(urn) and Update(id,urn) / Delete(id,urn) / Read(id,urn): the id, when there, comes first
OP = re.compile(r"^Provider\[[^]]*\]\.(Create|Update|Delete|Read)\((?:[^)]*?,)?urn:pulumi:[^:]*::[^:]*::([^),]*)[^)]*\)[;:]? "
                r"(executing|success|failed)")


def when(line):
    t = line["time"]
    # 2026-12-03T12:56:59.086251305Z: Python's fromisoformat takes microseconds; the engine logs UTC
    head, frac = t.rstrip("Z").split(".")
    return datetime.fromisoformat(head).replace(tzinfo=timezone.utc).timestamp() + float("0." + frac)


def engine_lines(path):
    """The JSON lines of an engine log (-v=7 --logtostderr), in order; the rest skipped."""
    lines = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.strip()
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    pass
    return lines


def main(path):
    lines = engine_lines(path)
    if not lines:
        sys.exit(f"{path}: no JSON log lines (was it run with -v=7 --logtostderr?)")
    t0, t_end = when(lines[0]), when(lines[-1])
    started, ops = {}, []
    for line in lines:
        m = OP.match(line.get("msg", ""))
        if not m:
            continue
        verb, urn, state = m.groups()
        kind = urn.split("::")[0].split("$")[-1].split(":")[-1]
        name = urn.split("::")[-1]
        key = (verb, urn)
        if state == "executing":
            started[key] = when(line)
        elif key in started:
            ops.append((started.pop(key) - t0, when(line) - t0, verb, kind, name, state))
    ops.sort()
    print(f"{'start':>8} {'end':>8} {'took':>7}  operation")
    for s, e, verb, kind, name, state in ops:
        print(f"{s:8.2f} {e:8.2f} {e - s:7.2f}  {verb} {kind} {name}{'' if state == 'success' else ' (' + state + ')'}")
    if not ops:
        print("no provider operation")
        return
    first, last = ops[0][0], max(e for _, e, *_ in ops)
    print(f"\nwhole log {t_end - t0:.2f} s: before the first operation {first:.2f} s, operations {last - first:.2f} s, "
          f"after the last {t_end - t0 - last:.2f} s")
    # concurrency: a sweep over starts and ends
    events = sorted([(s, 1) for s, *_ in ops] + [(e, -1) for _, e, *_ in ops])
    running, peak, idle, since = 0, 0, 0.0, None
    for t, d in events:
        if running == 0 and since is not None:
            idle += t - since
        running += d
        peak = max(peak, running)
        since = t if running == 0 else None
    print(f"at most {peak} operations at once; nothing running for {idle:.2f} s between the first and the last")
    by_kind = {}
    for s, e, verb, kind, *_ in ops:
        by_kind.setdefault(f"{verb} {kind}", []).append(e - s)
    for k, d in sorted(by_kind.items()):
        d.sort()
        print(f"{k}: {len(d)}, median {d[len(d) // 2]:.2f} s [{d[0]:.2f}-{d[-1]:.2f}]")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

#!/usr/bin/env python3
"""bench/results/fleet.json -> fleet.png (wall time against fleet size, one panel per operation) and
fleet-summary.md (medians with min/max per N, tool and operation; the target ratios). Run by bench/run.sh fleet
with Debian's python3 (python3-matplotlib)."""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results")
rows = json.loads((out / "fleet.json").read_text())["rows"]

# the operations compared across tools: (panel title, {tool: op})
PANELS = [
    ("first up", {"pulumi": "first up", "ansible": "first up", "floor": "first up"}),
    ("no-op review", {"pulumi": "no-op preview", "ansible": "no-op check --diff", "floor": "no-op check"}),
    ("no-op up / refresh", {"pulumi": "no-op up", "ansible": "no-op up", "floor": "no-op check"}),
    ("one-mirror change", {"pulumi": "mirror change", "ansible": "mirror change", "floor": "mirror change"}),
]

groups = defaultdict(list)
for r in rows:
    groups[(r["n"], r["tool"], r["op"])].append(r)


def stat(n, tool, op, key="wall_ms"):
    xs = [r[key] for r in groups.get((n, tool, op), [])]
    return (statistics.median(xs), min(xs), max(xs), len(xs)) if xs else None


sizes = sorted({r["n"] for r in rows})
lines = ["| N | tool | operation | wall (s), median [min-max] (runs) | SSH conn./node | commands/node | files | bytes | restarts |",
         "|---|---|---|---|---|---|---|---|---|"]
for (n, tool, op), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
    m, lo, hi, k = stat(n, tool, op)
    last = rs[-1]
    lines.append(f"| {n} | {tool} | {op} | {m/1000:.1f} [{lo/1000:.1f}-{hi/1000:.1f}] ({k}) | {last['ssh_per_node']:.1f} (max {last['ssh_max']}) "
                 f"| {last['commands_per_node']:.1f} | {last['files']} | {last['bytes']} | {last['restarts']} |")

lines += ["", "| N | ratio | value | target |", "|---|---|---|---|"]
TARGETS = [
    ("pulumi no-op preview / ansible no-op check --diff", ("pulumi", "no-op preview"), ("ansible", "no-op check --diff"), "<= 0.2"),
    ("pulumi no-op up / ansible no-op check --diff", ("pulumi", "no-op up"), ("ansible", "no-op check --diff"), "<= 0.5"),
    ("pulumi refresh / ansible no-op check --diff", ("pulumi", "refresh"), ("ansible", "no-op check --diff"), "<= 0.5"),
    ("pulumi refresh --skip-preview / ansible no-op check --diff", ("pulumi", "refresh --skip-preview"),
     ("ansible", "no-op check --diff"), "<= 0.5"),
    ("pulumi mirror change / ansible mirror change", ("pulumi", "mirror change"), ("ansible", "mirror change"), "<= 0.5"),
    ("pulumi mirror change / floor mirror change", ("pulumi", "mirror change"), ("floor", "mirror change"), "<= 2"),
    ("pulumi mirror change --skip-preview / floor mirror change", ("pulumi", "mirror change --skip-preview"),
     ("floor", "mirror change"), "<= 2"),
]
for n in sizes:
    for name, a, b, target in TARGETS:
        sa, sb = stat(n, *a), stat(n, *b)
        if sa and sb:
            lines.append(f"| {n} | {name} | {sa[0]/sb[0]:.2f} | {target} |")
(out / "fleet-summary.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, axes = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.8), sharey=False)
for ax, (title, ops) in zip(axes, PANELS):
    for tool, style in (("pulumi", "o-"), ("ansible", "s--"), ("floor", "^:")):
        pts = [(n, stat(n, tool, ops[tool])) for n in sizes]
        pts = [(n, s) for n, s in pts if s]
        if not pts:
            continue
        xs = [n for n, _ in pts]
        med = [s[0] / 1000 for _, s in pts]
        err = [[(s[0] - s[1]) / 1000 for _, s in pts], [(s[2] - s[0]) / 1000 for _, s in pts]]
        ax.errorbar(xs, med, yerr=err, fmt=style, capsize=3, label=f"{tool} ({ops[tool]})")
    ax.set_title(title)
    ax.set_xlabel("nodes")
    ax.set_ylabel("wall time (s)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
fig.suptitle("imagecache fleet operations against Ansible and one ssh per node (median, min-max)")
fig.tight_layout()
fig.savefig(out / "fleet.png", dpi=110)
print(f"wrote {out / 'fleet.png'} and {out / 'fleet-summary.md'}")

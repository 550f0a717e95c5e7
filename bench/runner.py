"""Run the benchmarks, take medians over repetitions, print a table (or JSON).

    python -m bench [--quick] [--only NAME ...] [--runs N] [--json] [--save FILE] [--profile]
                    [--list]

Each benchmark is a module of this package with a `BENCHMARK` (see `bench.core`); to add
one, write the module and put its name in `MODULES`. Modules are imported only when
selected, so `--only cold_start` does not import the engine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.core import Benchmark, Context, Row, Samples, median

# In table order.
MODULES: tuple[str, ...] = (
    "engine_turn",
    "understanding",
    "memory",
    "cold_start",
    "ptb_update",
    "webhook_load",
    "delivery_limits",
)

RUNS, QUICK_RUNS = 5, 2


@dataclass
class RowResult:
    row: Row
    ours: float
    anchor: float | None
    ratio: float | None
    met: bool | None

    def as_json(self, quick: bool) -> dict[str, Any]:
        return {
            "label": self.row.title(quick),
            "unit": self.row.unit,
            "ours": self.ours,
            "ours_key": self.row.ours,
            "anchor": self.anchor,
            "anchor_key": self.row.anchor,
            "anchor_label": self.row.anchor_label or None,
            "ratio": self.ratio,
            "goal": self.row.goal,
            "goal_on": self.row.goal_on if self.row.goal is not None else None,
            "goal_is": None if self.row.goal is None else "min" if self.row.at_least else "max",
            "met": self.met,
        }


@dataclass
class Result:
    name: str
    title: str
    seconds: float = 0.0
    samples: list[Samples] = field(default_factory=list)
    medians: dict[str, float] = field(default_factory=dict)
    rows: list[RowResult] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def load(name: str) -> Benchmark:
    benchmark = importlib.import_module(f"bench.{name}").BENCHMARK
    if benchmark.name != name:
        raise RuntimeError(f"bench/{name}.py defines a benchmark named {benchmark.name!r}")
    return benchmark


def evaluate(row: Row, samples: list[Samples], medians: dict[str, float]) -> RowResult:
    ours = medians[row.ours]
    anchor = medians[row.anchor] if row.anchor else None
    ratio = None
    if row.anchor:
        # Each run's value over the anchor measured in that same run, then the median.
        ratios = [s[row.ours] / s[row.anchor] for s in samples if s[row.anchor]]
        ratio = median(ratios) if ratios else None
    met = None
    if row.goal is not None:
        value = ratio if row.goal_on == "ratio" else ours
        if value is None or math.isnan(value):
            met = False
        else:
            met = value >= row.goal if row.at_least else value <= row.goal
    return RowResult(row, ours, anchor, ratio, met)


def run_one(ctx: Context, name: str) -> Result:
    started = time.perf_counter()
    try:
        benchmark = load(name)
    except Exception:
        return Result(name, name, error=traceback.format_exc())
    result = Result(name, benchmark.title)
    try:
        ctx.log(f"[{name}] setup")
        state = benchmark.setup(ctx)
        for number in range(1, ctx.runs + 1):
            begun = time.perf_counter()
            result.samples.append(dict(benchmark.run(ctx, state)))
            ctx.log(f"[{name}] run {number}/{ctx.runs}: {time.perf_counter() - begun:.1f} s")
        keys = result.samples[0].keys()
        result.medians = {k: median([s[k] for s in result.samples]) for k in keys}
        result.rows = [evaluate(row, result.samples, result.medians) for row in benchmark.rows]
        findings = benchmark.report(ctx, state, result.medians)
        result.details, result.notes = findings.details, findings.notes
    except Exception:
        result.error = traceback.format_exc()
        ctx.log(f"[{name}] failed:\n{result.error}")
    result.seconds = time.perf_counter() - started
    return result


# -- output ------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "—"
    if unit == "yes/no":
        return "yes" if value else "no"
    if unit == "µs":
        if value >= 1000:
            return f"{value / 1000:,.2f} ms"
        return f"{value:.2f} µs" if value < 10 else f"{value:.1f} µs"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:,.1f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "MiB":
        return f"{value:,.1f} MiB"
    if unit == "B":
        return f"{value:,.0f} B"
    return f"{value:,.4g} {unit}".rstrip()


def fmt_ratio(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    if value >= 10:
        return f"{value:,.0f}×"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.3f}×"


def fmt_goal(row: Row) -> str:
    if row.goal is None:
        return "—"
    if row.unit == "yes/no" and row.goal_on == "ours":
        return "no" if row.goal == 0 else "yes"
    bound = "≥" if row.at_least else "≤"
    if row.goal_on == "ratio":
        return f"{bound} {row.goal:.2f}×"
    return f"{bound} {fmt(row.goal, row.unit)}"


def table(results: list[Result], quick: bool) -> str:
    header = ("benchmark", "ours", "anchor", "ratio", "goal", "met?")
    lines: list[tuple[str, ...]] = []
    for result in results:
        if result.error:
            lines.append((f"{result.name}: FAILED (see stderr)", "", "", "", "", ""))
            continue
        for r in result.rows:
            anchor = fmt(r.anchor, r.row.unit)
            if r.row.anchor_label:
                anchor = f"{anchor} ({r.row.anchor_label})"
            met = "—" if r.met is None else "yes" if r.met else "NO"
            lines.append(
                (
                    f"{result.name}: {r.row.title(quick)}",
                    fmt(r.ours, r.row.unit),
                    anchor if r.row.anchor else "—",
                    fmt_ratio(r.ratio),
                    fmt_goal(r.row),
                    met,
                )
            )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    right = {1, 3}  # numbers

    def render(cells: tuple[str, ...]) -> str:
        padded = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def as_json(ctx: Context, results: list[Result], seconds: float) -> dict[str, Any]:
    return {
        "mode": "quick" if ctx.quick else "full",
        "runs": ctx.runs,
        "seconds": round(seconds, 1),
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "benchmarks": [
            {
                "name": r.name,
                "title": r.title,
                "seconds": round(r.seconds, 1),
                "rows": [row.as_json(ctx.quick) for row in r.rows],
                "medians": r.medians,
                "samples": {k: [s[k] for s in r.samples] for k in r.medians},
                "details": r.details,
                "notes": r.notes,
                "error": r.error,
            }
            for r in results
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs, smaller inputs")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=MODULES, help="run these")
    parser.add_argument(
        "--runs", type=int, help=f"repetitions (default {RUNS}, quick {QUICK_RUNS})"
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument("--save", metavar="FILE", help="also write the JSON results to FILE")
    parser.add_argument("--profile", action="store_true", help="profile even if goals are met")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(MODULES))
        return 0
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    names = [m for m in MODULES if m in args.only] if args.only else list(MODULES)
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="zansai-bench-") as tmp:
        ctx = Context(quick=args.quick, runs=runs, tmp=Path(tmp), profile=args.profile)
        results = [run_one(ctx, name) for name in names]
    seconds = time.perf_counter() - started
    document = json.dumps(as_json(ctx, results, seconds), ensure_ascii=False, indent=2)
    if args.save:
        Path(args.save).write_text(document + "\n", encoding="utf-8")
    if args.json:
        print(document)
    else:
        mode = "quick" if args.quick else "full"
        print(table(results, args.quick))
        print(
            f"\n{mode} mode, medians of {runs} runs; ratio = ours / anchor, each anchor measured "
            f"in the same run (median of the per-run ratios). Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, {seconds:.0f} s."
        )
        for result in results:
            if result.notes:
                print(f"\n{result.name}:")
                print("\n".join(f"  {line}" for line in result.notes))
            if result.error:
                print(f"\n{result.name}: FAILED\n{result.error}")
    return 1 if any(r.error for r in results) else 0

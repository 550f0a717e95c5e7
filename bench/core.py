"""The interface every benchmark module implements, and small helpers they share.

A benchmark module `bench/<name>.py` defines one module-level `BENCHMARK = Benchmark(...)`:

    setup(ctx) -> state            untimed, once (build inputs, warm caches)
    run(ctx, state) -> samples     one repetition: {key: number}; the runner calls it
                                   `ctx.runs` times and takes the median of every key
    report(ctx, state, medians)    untimed, once, after the runs -> Findings(details, notes)
    rows                           how the samples become table rows: `ours` and its
                                   `anchor` are keys of the same samples, so each anchor is
                                   measured in the same repetition as what it anchors

Numbers are printed, never asserted: a goal that is missed shows "NO" in the table and
the command still exits 0.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

Samples = Mapping[str, float]


@dataclass(frozen=True)
class Context:
    """What a benchmark may use: the mode, how many repetitions, a private temp folder."""

    quick: bool
    runs: int
    tmp: Path  # removed after the whole benchmark run
    profile: bool = False  # profile even when the goals are met
    python: str = sys.executable
    repo: Path = REPO

    def log(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def pick(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Row:
    """One table row: the median of samples[ours], against the median of samples[anchor].

    `goal` is an upper bound on `ours` (or on the ratio, with goal_on="ratio"); a lower bound
    with at_least=True (throughput, say). Units: "µs", "ms", "s", "B", "MiB", "/s" or any other
    text; "yes/no" shows 0 as no and 1 as yes, and a goal of 0 there means "must be no".
    """

    label: str
    ours: str
    unit: str
    anchor: str | None = None
    anchor_label: str = ""
    goal: float | None = None
    goal_on: str = "ours"  # "ours" or "ratio"
    at_least: bool = False  # the goal is a lower bound
    quick_label: str | None = None  # the label with --quick, when its inputs are smaller

    def title(self, quick: bool) -> str:
        return self.quick_label if quick and self.quick_label else self.label


@dataclass
class Findings:
    """What a benchmark learned beyond its rows: JSON-able details and lines for people."""

    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _no_setup(ctx: Context) -> None:
    return None


def _no_report(ctx: Context, state: Any, medians: Samples) -> Findings:
    return Findings()


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    rows: tuple[Row, ...]
    run: Callable[[Context, Any], Samples]
    setup: Callable[[Context], Any] = _no_setup
    report: Callable[[Context, Any, Samples], Findings] = _no_report


# -- helpers -----------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def subprocess_env() -> dict[str, str]:
    """The environment for child Pythons: ours, without what would change their startup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def vm_rss_kib(status: str = "/proc/self/status") -> int:
    with open(status) as fp:
        for line in fp:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("VmRSS not found in /proc/self/status")


class OfflineTurns:
    """What `bot.turns.TurnRunner.turn` does per turn, without its event loop and chat lock:
    load, `Engine.handle`, save. The engine-turn bench has always timed exactly this; the
    runner's own cost (an await, a lock) is measured end to end by the PTB and webhook rows."""

    def __init__(self, engine, store) -> None:
        self.engine = engine
        self.store = store

    def turn(self, user: str, event, language_code: str | None = None) -> list:
        session = self.store.load(user) or self.engine.new_session(user, language_code)
        outcome = self.engine.handle(session, event)
        if outcome.forget:
            self.store.delete(user)
        else:
            self.store.save(session)
        return outcome.replies

    def session(self, user: str):
        return self.store.load(user)

"""Prometheus text metrics for one worker process: counts and timings, never personal data.

Labels are closed sets chosen by the code (outcomes, question and verdict ids), never user
input. Each worker keeps its own numbers and labels them with its pid.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections import Counter

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.updates: Counter[str] = Counter()  # outcome -> count
        self.errors: Counter[str] = Counter()  # exception type -> count
        self.turns: Counter[str] = Counter()  # "flow.question" -> count
        self.verdicts: Counter[str] = Counter()  # "flow.verdict" -> count
        self._buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self._latency_sum = 0.0
        self._latency_count = 0

    def observe(self, seconds: float) -> None:
        self._buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self._latency_sum += seconds
        self._latency_count += 1

    def render(self) -> str:
        worker = f'worker="{os.getpid()}"'
        lines = [
            "# HELP zansai_updates_total Webhook updates by outcome.",
            "# TYPE zansai_updates_total counter",
            *_series("zansai_updates_total", "outcome", self.updates, worker),
            "# HELP zansai_errors_total Exceptions while handling an update, by type.",
            "# TYPE zansai_errors_total counter",
            *_series("zansai_errors_total", "type", self.errors, worker),
            "# HELP zansai_turns_total Turns by the question that was open.",
            "# TYPE zansai_turns_total counter",
            *_series("zansai_turns_total", "question", self.turns, worker),
            "# HELP zansai_verdicts_total Verdicts shown.",
            "# TYPE zansai_verdicts_total counter",
            *_series("zansai_verdicts_total", "verdict", self.verdicts, worker),
            "# HELP zansai_handling_seconds Time from request to response for webhook updates.",
            "# TYPE zansai_handling_seconds histogram",
        ]
        cumulative = 0
        for bound, count in zip((*LATENCY_BUCKETS, "+Inf"), self._buckets, strict=True):
            cumulative += count
            lines.append(f'zansai_handling_seconds_bucket{{{worker},le="{bound}"}} {cumulative}')
        lines.append(f"zansai_handling_seconds_sum{{{worker}}} {self._latency_sum:.6f}")
        lines.append(f"zansai_handling_seconds_count{{{worker}}} {self._latency_count}")
        return "\n".join(lines) + "\n"


def _series(name: str, label: str, counter: Counter[str], worker: str) -> list[str]:
    return [f'{name}{{{worker},{label}="{key}"}} {value}' for key, value in sorted(counter.items())]

"""Prometheus metrics with prometheus_client: counts and timings, never personal data.

One process (tests, `zansai webhook` with one worker): a registry of its own. Several
workers: `zansai webhook` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before they
start (prometheus_client's multiprocess mode); each worker writes its numbers there, and
/metrics, whichever worker answers, adds them up.

Labels are closed sets chosen by the code: update kinds and outcomes, flow, question and
verdict ids, exception types, how a typed answer was read. Never text, amounts or user ids.

    zansai_updates_total{kind,outcome}          every update the webhook was sent
    zansai_errors_total{type}                   exceptions while handling one
    zansai_turns_total{question}                turns by the question open before
    zansai_funnel_total{flow,question,step}     step: reached, answered, abandoned
    zansai_verdicts_total{flow,verdict}         verdicts shown
    zansai_typed_answers_total{flow,question,reading}
                                                reading: understood, clarified, asked_again
    zansai_delivery_retries_total{reason}       Bot API calls retried; reason "429" is
                                                Telegram throttling (the delivery code's)
    zansai_handling_seconds{kind}               request to response, per update (histogram)
    zansai_in_flight                            updates being handled now
    zansai_process_*{pid}                       each worker's memory, CPU, files, start time
"""

from __future__ import annotations

import os
from collections import Counter as Tally
from collections.abc import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)

# Dashboards read totals and rates; the *_created series would only double the output.
disable_created_metrics()

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Where a session can stand besides a flow's question (engine.MENU, engine.LANG_PICKER).
NOT_IN_A_FLOW = ("menu", "lang")
RETRY_REASONS = ("429", "network", "server")  # what zansai_delivery_retries_total starts with
PROCESS_GAUGES = {
    "process_resident_memory_bytes": "Resident memory of each worker, in bytes.",
    "process_virtual_memory_bytes": "Virtual memory of each worker, in bytes.",
    "process_cpu_seconds_total": "CPU time each worker has used, in seconds.",
    "process_open_fds": "Open file descriptors of each worker.",
    "process_start_time_seconds": "When each worker started, in seconds since the epoch.",
}


def multiprocess_dir() -> str | None:
    """The folder the workers share when prometheus_client runs in multiprocess mode."""
    if values.ValueClass is values.MutexValue:  # chosen when prometheus_client was imported
        return None
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


class Tallied:
    """A labelled counter that also reads like a dict of this process's counts, so that
    `metrics.errors["OperationalError"] += 1` counts and `metrics.errors[...]` reads."""

    def __init__(self, counter: Counter, label: str) -> None:
        self.counter = counter
        self.label = label
        self.seen: Tally[str] = Tally()

    def __getitem__(self, key: str) -> int:
        return self.seen[key]

    def __setitem__(self, key: str, value: int) -> None:
        delta = value - self.seen[key]
        if delta > 0:
            self.counter.labels(**{self.label: key}).inc(delta)
        self.seen[key] = value

    def items(self) -> Iterator[tuple[str, int]]:
        return iter(self.seen.items())


class Metrics:
    """One worker's metrics; `render()` is what /metrics answers."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.shared = multiprocess_dir()
        self._updates = Counter(
            "zansai_updates", "Updates by kind (message, button, command:NAME, ...) and outcome.",
            ["kind", "outcome"], registry=registry,
        )  # fmt: skip
        self._outcomes: Tally[str] = Tally()
        self.updates = _Outcomes(self)
        self.errors = Tallied(
            Counter(
                "zansai_errors", "Exceptions while handling an update, by type.", ["type"],
                registry=registry,
            ),
            "type",
        )
        self.turns = Tallied(
            Counter(
                "zansai_turns", "Turns by the question open before them.", ["question"],
                registry=registry,
            ),
            "question",
        )
        # The (flow, question) pairs that are questions (not verdicts); the adapter sets them
        # from its engine. None: every "flow.state" counts as a question.
        self.questions: set[tuple[str, str]] | None = None
        self.funnel = Counter(
            "zansai_funnel",
            "Each consultation's questions: reached, answered, or abandoned (the user left the "
            "consultation there for the menu, another one, or /forget).",
            ["flow", "question", "step"], registry=registry,
        )  # fmt: skip
        self.verdicts = Counter(
            "zansai_verdicts", "Verdicts shown.", ["flow", "verdict"], registry=registry
        )
        self.typed = Counter(
            "zansai_typed_answers",
            "Typed answers at a question, by how they were read: understood (recorded, or its "
            "amount sent for confirmation), clarified (a narrower question) or asked_again.",
            ["flow", "question", "reading"], registry=registry,
        )  # fmt: skip
        self.delivery_retries = Counter(
            "zansai_delivery_retries",
            'Bot API calls sent again, by reason ("429": Telegram asked us to slow down).',
            ["reason"], registry=registry,
        )  # fmt: skip
        for reason in RETRY_REASONS:
            self.delivery_retries.labels(reason)
        self.latency = Histogram(
            "zansai_handling_seconds", "Time from request to response for webhook updates.",
            ["kind"], buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.in_flight = Gauge(
            "zansai_in_flight", "Updates being handled now.", registry=registry,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self._process = ProcessCollector(registry=None)
        self._process_gauges = {
            name: Gauge(
                name, help_text, registry=registry, multiprocess_mode="liveall"
            )  # one series per worker (a pid label) in multiprocess mode
            for name, help_text in PROCESS_GAUGES.items()
        }
        self.refresh_process()

    # -- what the webhook and the adapter count ----------------------------------------------

    def count_update(self, kind: str, outcome: str) -> None:
        self._updates.labels(kind, outcome).inc()
        self._outcomes[outcome] += 1

    def observe(self, seconds: float, kind: str = "unknown") -> None:
        self.latency.labels(kind).observe(seconds)

    def delivery_retry(self, reason: str) -> None:
        """A Bot API call sent again; `reason` "429" when Telegram throttled it."""
        self.delivery_retries.labels(reason).inc()

    def turn(self, kind: str, before: str | None, after: str | None, verdict: str | None,
             accepted: bool, forgotten: bool, notices: tuple[str | None, ...]) -> None:  # fmt: skip
        """Funnel, verdict and typed-answer counts of one turn, from the turn's result."""
        self.turns[before or "-"] += 1
        was, now = self._question(before), self._question(None if forgotten else after)
        if verdict is not None and after:
            self.verdicts.labels(after.split(".")[0], verdict).inc()
        answering = kind in ("text", "button") and accepted
        if now is not None and now != was:
            self.funnel.labels(*now, "reached").inc()
        if was is None:
            return
        if answering and (now != was or verdict is not None):
            self.funnel.labels(*was, "answered").inc()
        elif verdict is None and (forgotten or after in ("menu", None) or (
            now is not None and now[0] != was[0]
        )):  # fmt: skip
            self.funnel.labels(*was, "abandoned").inc()
        if kind == "text":
            if "clarify" in notices:
                reading = "clarified"
            elif now != was or verdict is not None or (after or "").endswith(".confirm"):
                reading = "understood"
            else:
                reading = "asked_again"
            self.typed.labels(*was, reading).inc()

    # -- what /metrics shows -----------------------------------------------------------------

    def refresh_process(self) -> None:
        """This worker's process figures, as prometheus_client's ProcessCollector reads them."""
        for family in self._process.collect():
            gauge = self._process_gauges.get(family.name)
            if gauge is None and family.type == "counter":
                gauge = self._process_gauges.get(family.name + "_total")
            if gauge is not None and family.samples:
                gauge.set(family.samples[0].value)

    def render(self) -> str:
        self.refresh_process()
        if self.shared is None:
            return generate_latest(self.registry).decode()
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.shared)
        return generate_latest(registry).decode()

    def close(self) -> None:
        """A worker stopping: its live gauges leave the shared folder (its counters stay)."""
        if self.shared is not None:
            multiprocess.mark_process_dead(os.getpid(), self.shared)


    def _question(self, key: str | None) -> tuple[str, str] | None:
        """("car_sale", "balance") for "car_sale.balance" or its ".confirm"; None for the
        menu, the language picker or a verdict."""
        if key is None or key in NOT_IN_A_FLOW or "." not in key:
            return None
        flow, question = key.split(".")[:2]
        if self.questions is not None and (flow, question) not in self.questions:
            return None
        return flow, question


class _Outcomes:
    """`metrics.updates[outcome]`: this process's updates with that outcome, of any kind;
    `+= 1` counts one of an unknown kind (the adapter counts its own with `count_update`)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def __getitem__(self, outcome: str) -> int:
        return self.metrics._outcomes[outcome]

    def __setitem__(self, outcome: str, value: int) -> None:
        for _ in range(value - self.metrics._outcomes[outcome]):
            self.metrics.count_update("unknown", outcome)

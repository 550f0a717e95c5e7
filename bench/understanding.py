"""Understanding typed answers: the corpus figures, and what a typed turn costs.

Every corpus file (`tests/corpus/*.jsonl`: the `answers_*` sets, the `dev*_*` sets the
reader was tuned on, `dev4_*` among them since round 5 (it was the held-out `heldout2_*`),
and the held-out `heldout*_*` sets written by people who never saw the reader) is replayed
through the real turn runner by `bot.tools.understanding`, and grouped as that tool reports
it: per language, the share understood (right value, right help, or a precise question where
the bot cannot know), the silent misreadings (a wrong value recorded) and the needless re-
asks (nothing recorded where something should have been). The held-out sets, the honest
measure, get rows of their own; the notes give every set. Goals from the issue: ≥ 97 %
understood, 0 misreadings.

The cost rows time `Engine.handle` on a typed answer at its question against a button press
at the same question (same sessions, same answers, only the event differs), over every
single-answer line of every file.
"""

from __future__ import annotations

import time

from bench.core import Benchmark, Context, Findings, Row, Samples, percentile
from bot.core.events import Event
from bot.core.session import Session
from bot.tools import understanding

GOAL_UNDERSTOOD = 97.0
GOAL_TYPED_US = 1000.0
HELD_OUT = ("heldout", "heldout3", "heldout4")  # written by people who never saw the reader; unread


def setup(ctx: Context):
    from bot.app import build_engine

    engine = build_engine()
    files = sorted(understanding.CORPUS_DIR.glob("*.jsonl"))
    kinds = sorted({path.name.rpartition("_")[0] for path in files})
    lines = {kind: understanding.load(understanding.corpus_files(kind)) for kind in kinds}
    return engine, lines


def _sessions(engine, lines):
    """For each single-answer line: the session at its question, and a button of it."""
    found = []
    for line in lines:
        if line.question == "menu" or isinstance(line.expect[0], dict):
            continue
        question = engine.flows[line.flow].question(line.question)
        session = Session("bench", line.lang)  # at the question, as the corpus judge gets there
        for event in (Event.button(line.flow), *map(Event.parse, understanding.PREFIXES[
            line.flow][line.question])):
            engine.handle(session, event)
        button = question.options[0].id if question.options else None
        found.append((session.dumps(), line.text, button, line.question))
    return found


def _figures(samples: dict[str, float], name: str, results: list) -> None:
    for lang in ("ja", "zh"):
        mine = [r for r in results if r.line.lang == lang]
        if not mine:
            continue
        samples[f"{name}_{lang}_lines"] = len(mine)
        for outcome in understanding.OUTCOMES:
            count = sum(r.outcome == outcome for r in mine)
            samples[f"{name}_{lang}_{outcome}"] = count
        samples[f"{name}_{lang}_understood"] = 100 * samples[f"{name}_{lang}_understood"] / len(
            mine
        )


def run(ctx: Context, state) -> Samples:
    engine, lines = state
    samples: dict[str, float] = {}
    everything = [line for corpus in lines.values() for line in corpus]
    report = understanding.evaluate(everything, engine)
    by_kind: dict[str, list] = {kind: [] for kind in lines}
    index = 0
    for kind, corpus in lines.items():  # evaluate keeps the order of its lines
        by_kind[kind] = report.results[index : index + len(corpus)]
        index += len(corpus)
    _figures(samples, "all", report.results)
    _figures(samples, "held_out", [r for k in HELD_OUT for r in by_kind.get(k, [])])
    for kind, results in by_kind.items():
        _figures(samples, kind, results)
    cases = _sessions(engine, everything)
    typed, pressed = [], []
    for stored, text, button, _question in cases:
        session = Session.loads("bench", stored)
        started = time.perf_counter()
        engine.handle(session, Event.text(text))
        typed.append(time.perf_counter() - started)
        if button is not None:
            session = Session.loads("bench", stored)
            started = time.perf_counter()
            engine.handle(session, Event.button(button))
            pressed.append(time.perf_counter() - started)
    typed.sort()
    pressed.sort()
    if typed:
        samples["typed_p50"] = percentile(typed, 0.5) * 1e6
        samples["typed_p99"] = percentile(typed, 0.99) * 1e6
        samples["typed_cases"] = len(typed)
    if pressed:
        samples["button_p50"] = percentile(pressed, 0.5) * 1e6
        samples["button_p99"] = percentile(pressed, 0.99) * 1e6
    return samples


def report(ctx: Context, state, medians: Samples) -> Findings:
    _, lines = state
    notes = [
        "set           lang  lines  understood  misread  reasked  vague   understood %",
    ]
    for name in ("all", "held_out", *lines):
        for lang in ("ja", "zh"):
            total = medians.get(f"{name}_{lang}_lines")
            if not total:
                continue
            counts = "  ".join(
                f"{medians[f'{name}_{lang}_{o}']:>{max(7, len(o))}.0f}"
                for o in understanding.OUTCOMES[1:]
            )
            understood = medians[f"{name}_{lang}_understood"]
            notes.append(
                f"{name:<13} {lang:<4} {total:>6.0f}  {round(understood * total / 100):>10}  "
                f"{counts}  {understood:>12.1f}"
            )
    notes.append(
        "reasked: nothing recorded where something should have been (a needless re-ask); "
        "vague: a line that needs a question got the generic re-prompt. all = every file; "
        f"held_out = {' + '.join(HELD_OUT)}. Typed-turn timing over "
        f"{medians.get('typed_cases', 0):.0f} single-answer lines."
    )
    return Findings({"lines": {k: len(v) for k, v in lines.items()}}, notes)


BENCHMARK = Benchmark(
    name="understanding",
    title="Understanding typed answers (corpus) and the cost of a typed turn",
    rows=(
        *(
            row
            for name, label in (("all", "every corpus file"), ("held_out", "held-out sets"))
            for lang in ("ja", "zh")
            for row in (
                Row(f"{label}, {lang}: understood", f"{name}_{lang}_understood", "%",
                    goal=GOAL_UNDERSTOOD, at_least=True),
                Row(f"{label}, {lang}: silent misreadings", f"{name}_{lang}_misread", "",
                    goal=0),
                Row(f"{label}, {lang}: needless re-asks", f"{name}_{lang}_reasked", ""),
            )
        ),
        Row("typed-answer turn (Engine.handle), median", "typed_p50", "µs", anchor="button_p50",
            anchor_label="button press at the same question, median", goal=GOAL_TYPED_US),
        Row("typed-answer turn (Engine.handle), p99", "typed_p99", "µs", anchor="button_p99",
            anchor_label="button press at the same question, p99"),
    ),
    run=run,
    setup=setup,
    report=report,
)

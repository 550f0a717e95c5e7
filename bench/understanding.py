"""Understanding typed answers: the corpus figures, and what a typed turn costs.

The corpus (`tests/corpus/answers_*.jsonl`, and the held-out `heldout_*.jsonl` written by
people who never saw the reader) is replayed through the real turn runner by
`bot.tools.understanding`: per language, the share understood (right value, right help, or a
precise question where the bot cannot know) and the silent misreadings (a wrong value
recorded). Goals from the issue: ≥ 97 % understood, 0 misreadings.

The cost rows time `Engine.handle` on a typed answer at its question against a button press
at the same question (same sessions, same answers, only the event differs).
"""

from __future__ import annotations

import time

from bench.core import Benchmark, Context, Findings, Row, Samples, percentile
from bot.core.events import Event
from bot.core.session import Session
from bot.tools import understanding

GOAL_UNDERSTOOD = 97.0
GOAL_TYPED_US = 1000.0


def setup(ctx: Context):
    from bot.app import build_engine

    engine = build_engine()
    lines = {kind: understanding.load(understanding.corpus_files(kind)) for kind in
             ("answers", "heldout")}
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


def run(ctx: Context, state) -> Samples:
    engine, lines = state
    samples: dict[str, float] = {}
    for kind, corpus in lines.items():
        if not corpus:
            continue
        report = understanding.evaluate(corpus, engine)
        for lang in ("ja", "zh"):
            results = [r for r in report.results if r.line.lang == lang]
            if not results:
                continue
            understood = sum(r.outcome == "understood" for r in results) / len(results)
            samples[f"{kind}_{lang}_understood"] = 100 * understood
            samples[f"{kind}_{lang}_misread"] = sum(r.outcome == "misread" for r in results)
    cases = _sessions(engine, lines["answers"] + lines["heldout"])
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
    if pressed:
        samples["button_p50"] = percentile(pressed, 0.5) * 1e6
    return samples


def report(ctx: Context, state, medians: Samples) -> Findings:
    _, lines = state
    notes = [f"{kind}: {len(corpus)} lines" for kind, corpus in lines.items()]
    return Findings({"lines": {k: len(v) for k, v in lines.items()}}, notes)


BENCHMARK = Benchmark(
    name="understanding",
    title="Understanding typed answers (corpus) and the cost of a typed turn",
    rows=(
        Row("corpus ja: understood %", "answers_ja_understood", "%", goal=GOAL_UNDERSTOOD,
            at_least=True),
        Row("corpus ja: silent misreadings", "answers_ja_misread", "", goal=0),
        Row("corpus zh: understood %", "answers_zh_understood", "%", goal=GOAL_UNDERSTOOD,
            at_least=True),
        Row("corpus zh: silent misreadings", "answers_zh_misread", "", goal=0),
        Row("held-out ja: understood %", "heldout_ja_understood", "%", goal=GOAL_UNDERSTOOD,
            at_least=True),
        Row("held-out ja: silent misreadings", "heldout_ja_misread", "", goal=0),
        Row("held-out zh: understood %", "heldout_zh_understood", "%", goal=GOAL_UNDERSTOOD,
            at_least=True),
        Row("held-out zh: silent misreadings", "heldout_zh_misread", "", goal=0),
        Row("typed-answer turn (Engine.handle), median", "typed_p50", "µs", anchor="button_p50",
            anchor_label="button press at the same question", goal=GOAL_TYPED_US),
        Row("typed-answer turn (Engine.handle), p99", "typed_p99", "µs"),
    ),
    run=run,
    setup=setup,
    report=report,
)

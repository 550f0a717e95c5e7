"""How well typed answers are understood, measured on a corpus (`tests/corpus/*.jsonl`).

Each corpus line is one answer typed at one question, with what it should be read as:

    {"lang": "ja", "flow": "car_sale", "question": "owner", "text": "父の名義です",
     "expect": ["ask"]}

`expect` lists the acceptable readings: an option id, `amount=N` (exact), `amount~=N`
(approximate), `confirm~=N` (an approximate amount near a boundary, to be confirmed),
`ask` (the bot must ask a precise question), `out_of_scope`; or, for several facts in one
message, one object {question: reading}. Every line is replayed through the real turn
runner (the code `zansai console --json` runs): a new chat, the consultation opened and the
earlier questions answered by buttons (`PREFIXES`), then the text typed. Each line ends as:

    understood   the right value recorded, the right option's help shown, or — where the
                 bot cannot know — a precise question asked (not the generic "didn't
                 understand"): a hint for this question, a confirmation ("90万円のことです
                 か？"), or, where a line accepts two options, which of just those
    misread      a wrong value recorded: the worst outcome, a silent misreading
    reasked      nothing recorded where something should have been (a needless re-ask)
    vague        an `ask` line answered with the generic re-prompt, not a precise question

`python -m bot.tools.understanding [FILES]` prints the report per language and question.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.core import dates, texts
from bot.core.answers import CLARIFY
from bot.core.engine import Engine
from bot.core.events import Event, Reply
from bot.core.i18n import translate
from bot.storage import LocalAsyncStore, MemoryStore
from bot.turns import TurnRunner

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "corpus"
CORPUS_TODAY = date(2026, 12, 4)  # the day the corpus was written: 先月 and 11月 mean this
OUTCOMES = ("understood", "misread", "reasked", "vague")

# Buttons that lead from a consultation's first question to each question.
PREFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "car_sale": {
        "menu": (),
        "owner": (),
        "loan_kind": ("@lender",),
        "balance": ("@lender", "@standard"),
        "appraisal": ("@lender", "@standard", "1500000"),
        "estimate": ("@lender", "@standard", "1500000", "@not_yet"),
        "replacing": ("@lender", "@standard", "1500000", "1000000"),
        "buyer": ("@lender", "@standard", "1500000", "2000000"),
    },
    "card_overdue": {
        "menu": (),
        "status": (),
        "ability": ("@m1to3",),
        "principal": ("@gt3m", "@partial"),
        "collections": ("@gt3m", "@partial", "80000"),
    },
}
# Sentences that re-ask without saying what is missing: the generic "didn't understand".
GENERIC = (
    texts.NOT_UNDERSTOOD,
    texts.NOT_UNDERSTOOD_AGAIN,
    texts.AMOUNT_UNREADABLE,
    texts.AMOUNT_UNREADABLE_AGAIN,
    texts.MENU_NOT_UNDERSTOOD,
)


@dataclass(frozen=True, slots=True)
class Line:
    lang: str
    flow: str
    question: str
    text: str
    expect: tuple[Any, ...]
    source: str  # file:line


@dataclass(slots=True)
class Result:
    line: Line
    outcome: str
    got: str  # what the bot made of it, for the report


@dataclass(slots=True)
class Report:
    results: list[Result] = field(default_factory=list)

    def counts(self, key=lambda r: r.line.lang) -> dict[Any, Counter[str]]:
        table: dict[Any, Counter[str]] = defaultdict(Counter)
        for result in self.results:
            table[key(result)][result.outcome] += 1
        return dict(table)

    def rate(self, outcome: str = "understood") -> float:
        return sum(r.outcome == outcome for r in self.results) / max(len(self.results), 1)


def load(paths: Iterable[Path]) -> list[Line]:
    lines = []
    for path in paths:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            data = json.loads(raw)
            expect = tuple(data["expect"])
            lines.append(
                Line(
                    data["lang"],
                    data["flow"],
                    data["question"],
                    data["text"],
                    expect,
                    f"{path.name}:{number}",
                )
            )
    return lines


def corpus_files(kind: str = "answers") -> list[Path]:
    return sorted(CORPUS_DIR.glob(f"{kind}_*.jsonl"))


class Judge:
    """Replays corpus lines through one engine and judges each one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.loop = asyncio.Runner()

    def close(self) -> None:
        self.loop.close()

    def judge(self, line: Line) -> Result:
        return self.loop.run(self._judge(line))

    async def _judge(self, line: Line) -> Result:
        store = MemoryStore()
        runner = TurnRunner(self.engine, LocalAsyncStore(store))
        user = "judge"

        async def send(event: Event) -> list[Reply]:
            turn = await runner.turn(user, event)
            assert turn is not None
            return turn.replies

        await send(Event.command("lang", line.lang))
        if line.question != "menu":
            await send(Event.button(line.flow))
            for step in PREFIXES[line.flow][line.question]:
                await send(Event.parse(step))
        before = store.load(user)
        assert before is not None
        if line.question != "menu":
            assert before.state == line.question, (line.source, before.state)
        replies = await send(Event.text(line.text))
        after = store.load(user)
        return _verdict(self.engine, line, before, after, replies)


def _verdict(engine: Engine, line: Line, before, after, replies: list[Reply]) -> Result:
    if isinstance(line.expect[0], dict):
        return _several(line, after)
    answers = after.answers if after is not None else {}
    recorded = answers.get(line.question) if after and after.flow == line.flow else None
    changed = line.question not in before.answers and recorded is not None
    if changed:
        got = _reading(recorded)
        ok = any(_matches(expected, recorded) for expected in line.expect)
        return Result(line, "understood" if ok else "misread", got)
    if after is not None and after.pending and "confirm" in after.pending:
        got = f"confirm~={after.pending['confirm']}"
        ok = "ask" in line.expect or any(  # "90万円のことですか？" is a precise question
            isinstance(e, str) and e.startswith(("confirm~=", "amount~=", "amount="))
            and _number(e) == after.pending["confirm"]
            for e in line.expect
        )
        return Result(line, "understood" if ok else "reasked", got)
    asked = _clarified(replies) - _escape(engine, line)
    if asked and len(_options(line)) >= 2 and asked <= _options(line):
        # the writer accepts either of two options; asking which of just those is right
        return Result(line, "understood", "clarify:" + "|".join(sorted(asked)))
    help_shown = _help_option(engine, line, replies)
    if help_shown is not None:
        ok = help_shown in line.expect
        return Result(line, "understood" if ok else "reasked", f"help:{help_shown}")
    generic = bool(replies) and any(
        replies[0].text == translate(line.lang, message).split("{")[0] or
        replies[0].text.startswith(translate(line.lang, message).split("{")[0])
        for message in GENERIC
    )
    if "ask" in line.expect or "out_of_scope" in line.expect:
        return Result(line, "vague" if generic else "understood", "generic" if generic else "ask")
    return Result(line, "reasked", "generic" if generic else "ask")


def _several(line: Line, after) -> Result:
    facts: dict[str, str] = line.expect[0]
    # recorded, or kept until the consultation reaches the question (Session.early)
    same = after is not None and after.flow == line.flow
    answers = {**after.early, **after.answers} if same else {}
    wrong = [q for q, e in facts.items() if q in answers and not _matches(e, answers[q])]
    missing = [q for q in facts if q not in answers]
    got = ",".join(f"{q}={_reading(v)}" for q, v in answers.items()) or "-"
    if wrong:
        return Result(line, "misread", got)
    return Result(line, "reasked" if missing else "understood", got)


def _help_option(engine: Engine, line: Line, replies: list[Reply]) -> str | None:
    """The option whose help (`Option.info`) the bot showed, if it showed one."""
    flow = engine.flows.get(line.flow)
    question = flow.question(line.question) if flow else None
    if question is None or not replies:
        return None
    for option in question.options:
        if option.info is not None and replies[0].text == translate(line.lang, option.info):
            return option.id
    return None


def _clarified(replies: list[Reply]) -> set[str]:
    """The options of a clarifying question ("銀行ですか、JAですか？"), if one was asked."""
    for reply in replies:
        if reply.notice == CLARIFY:
            return {choice.id for choice in reply.options}
    return set()


def _escape(engine: Engine, line: Line) -> set[str]:
    """The "don't remember" button a yes/no question offers besides its two options: a way
    out, not a reading the bot is asking between (Question.settle)."""
    flow = engine.flows.get(line.flow)
    question = flow.question(line.question) if flow else None
    settle = question.settle if question is not None else None
    return {settle.unsure} if settle is not None and settle.unsure else set()


def _options(line: Line) -> set[str]:
    """The option ids a line accepts (not `ask`, amounts or confirmations)."""
    return {
        e for e in line.expect
        if isinstance(e, str) and e not in ("ask", "out_of_scope") and "=" not in e
    }


def _number(expected: str) -> int | None:
    try:
        return int(expected.split("=", 1)[1])
    except (IndexError, ValueError):
        return None


def _matches(expected: str, value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        # An amount to be confirmed first and recorded at once is a silent misreading.
        return expected.startswith(("amount=", "amount~=")) and _number(expected) == value
    return expected == value


def _reading(value: object) -> str:
    return f"amount={value}" if isinstance(value, int) and not isinstance(value, bool) else str(
        value
    )


def evaluate(lines: Sequence[Line], engine: Engine | None = None) -> Report:
    if engine is None:
        from bot.app import build_engine

        engine = build_engine()
    judge = Judge(engine)
    clock = dates.today
    dates.today = lambda: CORPUS_TODAY
    try:
        return Report([judge.judge(line) for line in lines])
    finally:
        dates.today = clock
        judge.close()


def format_report(report: Report, details: bool = False) -> str:
    out = []
    header = f"{'':28} {'lines':>5} " + " ".join(f"{o:>10}" for o in OUTCOMES) + "  understood"
    out.append(header)
    tables = [
        report.counts(lambda r: r.line.lang),
        report.counts(lambda r: (r.line.lang, r.line.flow, r.line.question)),
    ]
    for table in tables:
        for key in sorted(table):
            counts = table[key]
            total = sum(counts.values())
            name = key if isinstance(key, str) else ".".join(key)
            cells = " ".join(f"{counts[o]:>10}" for o in OUTCOMES)
            out.append(f"{name:28} {total:>5} {cells}  {counts['understood'] / total:9.1%}")
        out.append("")
    total = len(report.results)
    out.append(
        f"all: {total} lines, understood {report.rate():.1%}, "
        f"silent misreadings {sum(r.outcome == 'misread' for r in report.results)}"
    )
    if details:
        out.append("")
        for result in report.results:
            if result.outcome != "understood":
                line = result.line
                out.append(
                    f"{result.outcome:9} {line.source:22} {line.flow}.{line.question}: "
                    f"{line.text!r} -> {result.got} (expected {list(line.expect)})"
                )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    details = "--details" in args
    paths = [Path(a) for a in args if not a.startswith("--")] or corpus_files()
    print(format_report(evaluate(load(paths)), details=details))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every distinct verdict text, as users read it, with its length: for expert readers and
for the length goals (the first message of a verdict ≤ 350 characters in Japanese, ≤ 250 in
Chinese).

The path explorer (`explore`) gives every answer path; paths that show the same paragraphs
are one case. Each case is replayed through the real engine in each language.

    python -m bot.tools.verdicts                 # the table: characters per verdict
    python -m bot.tools.verdicts --text [--lang ja] [--flow car_sale]   # every case in full
    python -m bot.tools.verdicts --blocks [--flow car_sale]   # each paragraph once, with
                                                # when it is shown, in every language
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass

from bot.core.engine import Engine
from bot.core.flow import Block
from bot.core.i18n import LANGUAGES, translate
from bot.core.session import Session
from bot.tools.explore import explore

FIRST_MESSAGE_LIMIT = {"ja": 350, "zh": 250}


@dataclass(frozen=True, slots=True)
class Case:
    flow: str
    verdict: str
    answers: dict
    lang: str
    messages: tuple[str, ...]  # the verdict's messages, without the closing prompt

    @property
    def first(self) -> int:
        return len(self.messages[0]) if self.messages else 0

    @property
    def total(self) -> int:
        return sum(len(m) for m in self.messages)


def cases(engine: Engine, langs=LANGUAGES, flows: tuple[str, ...] = ()) -> list[Case]:
    found = []
    for flow in engine.flows.values():
        if flows and flow.id not in flows:
            continue
        seen: set[tuple] = set()
        for path in explore(flow).paths:
            verdict = flow.verdict(path.end)
            if verdict is None or path.problem:
                continue
            answers = path.answers
            shown = tuple(block.text for block in verdict.blocks if flow.holds(block, answers))
            if (verdict.id, shown) in seen:
                continue
            seen.add((verdict.id, shown))
            for lang in langs:
                session = Session("verdicts", lang, flow.id, verdict.id, dict(answers))
                replies = engine.current(session)
                messages = tuple(r.text for r in replies if r.verdict and not r.options)
                found.append(Case(flow.id, verdict.id, answers, lang, messages))
    return found


def table(found: list[Case]) -> str:
    rows = [
        f"{'verdict':36} {'lang':4} {'cases':>5} {'first max':>9} {'first med':>9} "
        f"{'total max':>9} {'msgs':>4}  over"
    ]
    keys = sorted({(c.flow, c.verdict, c.lang) for c in found})
    for flow, verdict, lang in keys:
        group = [c for c in found if (c.flow, c.verdict, c.lang) == (flow, verdict, lang)]
        firsts = [c.first for c in group]
        over = sum(f > FIRST_MESSAGE_LIMIT.get(lang, 10**9) for f in firsts)
        rows.append(
            f"{flow + '.' + verdict:36} {lang:4} {len(group):>5} {max(firsts):>9} "
            f"{int(statistics.median(firsts)):>9} {max(c.total for c in group):>9} "
            f"{max(len(c.messages) for c in group):>4}  {over}"
        )
    return "\n".join(rows)


def full_text(found: list[Case]) -> str:
    out = []
    for case in found:
        answers = ", ".join(f"{k}={v}" for k, v in case.answers.items())
        out.append(f"### {case.flow}.{case.verdict} [{case.lang}] ({answers})")
        out.append(f"first message {case.first} characters, total {case.total}")
        for number, message in enumerate(case.messages, start=1):
            out.append(f"--- message {number} ---\n{message}")
        out.append("")
    return "\n".join(out)


def blocks(engine: Engine, langs=LANGUAGES, flows: tuple[str, ...] = ()) -> str:
    """Each verdict's paragraphs once, with the conditions that show them: what a domain
    expert reads (the cases repeat most paragraphs many times)."""
    out = []
    for flow in engine.flows.values():
        if flows and flow.id not in flows:
            continue
        for verdict in flow.verdicts:
            out.append(f"## {flow.id}.{verdict.id}")
            out.extend(f"[headline {lang}] {translate(lang, verdict.headline)}" for lang in langs)
            for block in verdict.headlines:
                out.append(f"* headline instead ({_shown(block)})")
                out.extend(f"  [{lang}] {translate(lang, block.text)}" for lang in langs)
            for number, message in enumerate(verdict.messages, start=1):
                out.append(f"--- message {number} ---")
                for block in message:
                    out.append(f"* ({_shown(block)})")
                    out.extend(f"  [{lang}] {translate(lang, block.text)}" for lang in langs)
            out.append("")
    return "\n".join(out)


def _shown(block: Block) -> str:
    return " ".join(
        [f"when {' & '.join(block.when)}" if block.when else "always"]
        + ([f"unless {' | '.join(block.unless)}"] if block.unless else [])
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.verdicts")
    parser.add_argument("--text", action="store_true", help="print every case in full")
    parser.add_argument("--blocks", action="store_true", help="each paragraph once")
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    parser.add_argument("--flow", action="append")
    args = parser.parse_args(argv)
    from bot.app import build_engine

    engine = build_engine(warm_up=False)
    if args.blocks:
        print(blocks(engine, tuple(args.lang or LANGUAGES), tuple(args.flow or ())))
        return 0
    found = cases(engine, tuple(args.lang or LANGUAGES), tuple(args.flow or ()))
    print(full_text(found) if args.text else table(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())

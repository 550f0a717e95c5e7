"""Measures the typed-answer reader (bot/core/reader) on the corpus, against today's engine.

    python scripts/reader_eval.py [--failures] [FILES]   (default: tests/corpus/answers_*.jsonl)

The table counts CHOICE questions (owner, loan_kind, replacing, buyer, status, ability,
collections); "menu" lines and lines expecting an amount are skipped. A second table checks
the amount questions' own options (balance / principal `unknown`, appraisal `not_yet`) and
that an amount typed there is not taken for the option.
A line is

    right   the expected option read SURE; an `ask` line read CLARIFY or NOTHING (or a
            "don't know" with no option to record); an `unknown` line read DONT_KNOW or
            SURE(unknown) (or DONT_KNOW of an expected option: buyer's undecided); an
            `out_of_scope` line read as the `_out_of_scope` hint
    wrong   SURE of an option not in `expect`: a silent misreading
    missed  anything else (nothing recorded where an option was expected)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core import dates  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.reader import Kind, Reader, Reading  # noqa: E402
from flows import FLOWS  # noqa: E402

CHOICE = {"owner", "loan_kind", "replacing", "buyer", "status", "ability", "collections"}
PHRASINGS = ROOT / "flows" / "phrasings"
CORPUS_TODAY = date(2026, 12, 4)


def judge(reading: Reading, expect: list[str]) -> str:
    if reading.kind is Kind.SURE:
        return "right" if reading.options[0] in expect else "wrong"
    if reading.kind is Kind.DONT_KNOW and (
        "unknown" in expect or set(reading.options) & set(expect)
    ):
        return "right"
    if "ask" in expect and (
        reading.kind in (Kind.CLARIFY, Kind.NOTHING)
        or (reading.kind is Kind.DONT_KNOW and not reading.options)
    ):
        return "right"
    if "out_of_scope" in expect and reading.hint == "_out_of_scope":
        return "right"
    return "missed"


AMOUNT = {"balance", "appraisal", "principal"}  # amount questions that also have an option


def judge_amount(reading: Reading, expect: list[str]) -> str:
    """At an amount question: an option expected is read as any option; a line expecting an
    amount (or a precise question about one) must not be taken for the option."""
    options = [e for e in expect if not e.startswith(("amount", "confirm", "ask", "out_of"))]
    if options:
        return judge(reading, expect)
    taken = reading.kind is Kind.SURE or (reading.kind is Kind.DONT_KNOW and reading.options)
    return "wrong" if taken else "right"


def amount_lines(paths: list[Path]) -> list[dict]:
    found = []
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                line = json.loads(raw)
                expect = line.get("expect", [])
                if line.get("question") in AMOUNT and all(isinstance(e, str) for e in expect):
                    found.append(line)
    return found


def lines(paths: list[Path]) -> list[dict]:
    found = []
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            line = json.loads(raw)
            expect = line.get("expect", [])
            if line.get("question") not in CHOICE or not all(isinstance(e, str) for e in expect):
                continue
            if any(e.startswith(("amount", "confirm")) for e in expect):
                continue
            found.append(line)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--failures", action="store_true", help="print every wrong/missed line")
    args = parser.parse_args()
    paths = args.files or sorted((ROOT / "tests" / "corpus").glob("answers_*.jsonl"))
    dates.today = lambda: CORPUS_TODAY
    flows = {flow.id: flow for flow in FLOWS}
    engine = Engine(FLOWS)
    started = time.perf_counter()
    reader = Reader.from_directory(PHRASINGS, FLOWS)
    reader.warm_up()
    load_seconds = time.perf_counter() - started
    table: dict[tuple[str, str], dict[str, Counter]] = defaultdict(
        lambda: {"old": Counter(), "new": Counter()}
    )
    costs: list[float] = []
    failures = []
    for line in lines(paths):
        flow = flows[line["flow"]]
        question = flow.question(line["question"])
        old = engine._typed_option(flow, question, line["text"])
        old_reading = Reading(Kind.SURE, (old,)) if old else Reading(Kind.NOTHING)
        begin = time.perf_counter()
        new = reader.read(line["flow"], line["question"], line["lang"], line["text"])
        costs.append(time.perf_counter() - begin)
        key = (line["lang"], line["question"])
        table[key]["old"][judge(old_reading, line["expect"])] += 1
        outcome = judge(new, line["expect"])
        table[key]["new"][outcome] += 1
        if outcome != "right":
            failures.append((outcome, line, new))
    print(f"{'lang':4} {'question':12} {'n':>4}  {'baseline right/wrong/missed':>28}"
          f"  {'reader right/wrong/missed':>26}")
    totals: dict[str, dict[str, Counter]] = defaultdict(
        lambda: {"old": Counter(), "new": Counter()}
    )
    for (lang, question), counts in sorted(table.items()):
        n = sum(counts["new"].values())
        cells = []
        for side in ("old", "new"):
            c = counts[side]
            totals[lang][side].update(c)
            cells.append(f"{c['right'] / n:6.1%} {c['wrong']:3} {c['missed']:3}")
        print(f"{lang:4} {question:12} {n:4}  {cells[0]:>28}  {cells[1]:>26}")
    for lang, counts in sorted(totals.items()):
        n = sum(counts["new"].values())
        cells = [
            f"{counts[s]['right'] / n:6.1%} {counts[s]['wrong']:3} {counts[s]['missed']:3}"
            for s in ("old", "new")
        ]
        print(f"{lang:4} {'ALL':12} {n:4}  {cells[0]:>28}  {cells[1]:>26}")
    costs.sort()
    median, p95 = statistics.median(costs), costs[int(len(costs) * 0.95)]
    print(f"\nreader: load+index {load_seconds:.2f} s; per reading median {median * 1e6:.0f} µs,"
          f" p95 {p95 * 1e6:.0f} µs, max {costs[-1] * 1e6:.0f} µs over {len(costs)} lines")
    print("\namount questions (an option typed, or an amount the reader must leave alone):")
    amounts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for line in amount_lines(paths):
        reading = reader.read(line["flow"], line["question"], line["lang"], line["text"])
        outcome = judge_amount(reading, line["expect"])
        amounts[line["lang"], line["question"]][outcome] += 1
        if outcome != "right":
            failures.append((outcome, line, reading))
    for (lang, question), c in sorted(amounts.items()):
        n = sum(c.values())
        print(f"{lang:4} {question:12} {n:4}  right {c['right'] / n:6.1%}  wrong {c['wrong']:3}"
              f"  missed {c['missed']:3}")
    if args.failures:
        for outcome, line, reading in sorted(failures, key=lambda f: (f[0], f[1]["question"])):
            print(f"{outcome:6} {line['lang']} {line['question']:11} {line['text']!r} "
                  f"expect={line['expect']} got={reading.kind.value}{list(reading.options)}"
                  f"{' ' + reading.hint if reading.hint else ''}")


if __name__ == "__main__":
    main()

"""The corpus judge (bot/tools/understanding.py) and the corpus it judges."""

from __future__ import annotations

from bot.tools import understanding
from bot.tools.understanding import Line, evaluate
from tests.support import ENGINE


def _line(question: str, text: str, *expect, lang: str = "ja", flow: str = "car_sale") -> Line:
    return Line(lang, flow, question, text, tuple(expect), "test")


def _outcome(line: Line) -> str:
    return evaluate([line], ENGINE).results[0].outcome


def test_a_confirmation_is_a_precise_question_where_the_bot_cannot_know():
    # "90円と入力されました。90万円のことですか？"
    assert _outcome(_line("appraisal", "90", "ask")) == "understood"
    assert _outcome(_line("appraisal", "90", "amount=900000")) == "reasked"


def test_asking_between_the_options_the_line_accepts_is_understood():
    line = _line("status", "1か月くらい", "lt1m", "m1to3", flow="card_overdue")
    result = evaluate([line], ENGINE).results[0]
    assert result.outcome == "understood"
    # the same question where one option is right is a needless re-ask
    assert _outcome(_line("status", "1か月くらい", "m1to3", flow="card_overdue")) == "reasked"


def test_a_wrong_value_recorded_is_a_misreading():
    assert _outcome(_line("balance", "150万", "amount=1600000")) == "misread"


def test_the_corpus_has_no_silent_misreading():
    """The corpus the reader is tuned on: 0 wrong values recorded (the held-out corpus is
    measured by `python -m bench`, not asserted here, so that it is never tuned on)."""
    report = evaluate(understanding.load(understanding.corpus_files("answers")), ENGINE)
    misread = [f"{r.line.source} {r.line.text} -> {r.got}" for r in report.results
               if r.outcome == "misread"]
    assert misread == []

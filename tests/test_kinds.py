"""Question kinds: a number, a duration and a date are read, said back and summarised by the
engine from the flow table alone (money and choices are covered by the golden transcripts)."""

from __future__ import annotations

import pytest

from bot.core import texts
from bot.core.engine import ACK, Engine
from bot.core.events import Event, Reply
from bot.core.flow import Block, Flow, Option, Question, Transition, Verdict
from bot.core.i18n import translate
from bot.core.kinds import Date, Duration, Money, Number, OptionsOnly, Problem
from bot.core.session import Session

MONTHS = Question(
    "months",
    title="Months left",
    prompt="How many months are left on the contract?",
    kind=Number(unit="{number} months", maximum=120, unit_words=("ヶ月", "个月")),
    example="12",
    options=(Option("unknown", "I don't know"),),
)
OVERDUE = Question("overdue", title="Late for", prompt="How long?", kind=Duration(),
                   example="3か月")
SIGNED = Question("signed", title="Signed on", prompt="When?", kind=Date(), example="2024-03-15")
TEST_FLOW = Flow(
    id="kinds",
    title="Kinds",
    currency="JPY",
    questions=(MONTHS, OVERDUE, SIGNED),
    transitions=(
        Transition("months", "overdue"),
        Transition("overdue", "signed"),
        Transition("signed", "done"),
    ),
    verdicts=(Verdict("done", headline="Done.", messages=((Block("Thanks."),),)),),
    conditions={},
)


def answer(session: Session, text: str) -> list[Reply]:
    return Engine([TEST_FLOW]).handle(session, Event.parse(text)).replies


def at(state: str, lang: str = "ja") -> Session:
    return Session("u", lang, "kinds", state)


# -- number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12", 12), ("１２", 12), ("十二", 12), ("12ヶ月", 12), ("12个月", 12),
     ("12 months", 12), ("12です", 12), ("7.5", 7.5), ("0", 0)],
)
def test_a_number_is_read_with_or_without_its_unit(typed, value):
    session = at("months")
    replies = answer(session, typed)
    assert session.answers == {"months": value} and session.state == "overdue"
    assert replies[0].notice == ACK and replies[-1].expects == "duration"


def test_a_number_is_said_back_with_its_unit():
    session = at("months", "zh")
    replies = answer(session, "12")
    assert replies[0].text == "✓ Months left：12 months"  # a test flow: its texts untranslated


@pytest.mark.parametrize(
    ("typed", "message"),
    [("たくさん", texts.NUMBER_UNREADABLE), ("12円くらい", texts.NUMBER_UNREADABLE),
     ("121", texts.NUMBER_OUT_OF_RANGE), ("-3", texts.NUMBER_UNREADABLE)],
)
def test_a_wrong_number_is_explained_and_asked_again(typed, message):
    session = at("months")
    replies = answer(session, typed)
    assert session.answers == {} and session.state == "months"
    expected = translate("ja", message).format(example="12", minimum="0", maximum="120")
    assert replies[0].text == expected
    assert replies[1].question == "kinds.months" and replies[1].expects == "number"


def test_an_option_still_answers_a_number_question():
    session = at("months")
    answer(session, "@unknown")
    assert session.answers == {"months": "unknown"}


# -- duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "days", "said"),
    [("3か月", 90, "3か月"), ("三ヶ月", 90, "3か月"), ("两个月", 60, "2か月"),
     ("10天", 10, "10日"), ("2週間", 14, "2週間"), ("1年", 365, "1年"), ("2 weeks", 14, "2週間"),
     ("45日", 45, "45日"), ("30日", 30, "1か月")],
)
def test_a_duration_is_read_as_days_and_said_in_the_largest_exact_unit(typed, days, said):
    session = at("overdue")
    replies = answer(session, typed)
    assert session.answers == {"overdue": days}
    assert replies[0].text == f"✓ Late for：{said}"


@pytest.mark.parametrize("typed", ["しばらく", "3", "半年", "3か月くらい"])
def test_an_unreadable_duration_is_explained(typed):
    session = at("overdue", "zh")
    replies = answer(session, typed)
    assert session.answers == {}
    assert replies[0].text == translate("zh", texts.DURATION_UNREADABLE).format(example="3か月")
    assert replies[1].expects == "duration"


def test_durations_in_chinese():
    assert Duration().say(90, "zh") == "3个月" and Duration().say(10, "zh") == "10天"


# -- date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["2024-03-15", "2024/3/15", "2024年3月15日", "２０２４年３月１５日", "2024.3.15です"]
)
def test_a_date_is_read_and_said_back_in_the_users_language(typed):
    session = at("signed")
    replies = answer(session, typed)
    assert session.answers == {"signed": "2024-03-15"} and session.state == "done"
    assert replies[0].text == "✓ Signed on：2024年3月15日"


@pytest.mark.parametrize("typed", ["2024-02-30", "3月15日", "昨日", "15/3/2024"])
def test_an_impossible_or_yearless_date_is_explained(typed):
    session = at("signed")
    replies = answer(session, typed)
    assert session.answers == {}
    assert replies[0].text == translate("ja", texts.DATE_UNREADABLE).format(example="2024-03-15")


# -- all of them in /summary --------------------------------------------------------------


def test_summary_formats_every_kind():
    engine = Engine([TEST_FLOW])
    session = Session("u", "zh", "kinds", "months")
    for typed in ("12个月", "两个月", "2024/3/15"):
        engine.handle(session, Event.text(typed))
    summary = engine.handle(session, Event.command("summary")).replies[0].text
    assert summary.splitlines()[1:] == [
        "Months left：12 months", "Late for：2个月", "Signed on：2024年3月15日",
        "结果：Done.",
    ]


# -- the kinds themselves ------------------------------------------------------------------


def test_money_is_said_in_its_own_currency():
    assert Money("JPY").say(1_500_000, "ja") == "150万円"
    assert Money("CNY").say(30_000, "ja") == "3万元"
    with pytest.raises(ValueError, match="USD"):
        Money("USD")


def test_options_only_takes_nothing_typed():
    assert OptionsOnly().read("12", "12") == Problem(texts.NOT_UNDERSTOOD)
    assert OptionsOnly().expects == "choice" and Money().expects == "amount"


def test_plausible_amounts_need_a_money_question():
    with pytest.raises(ValueError, match="plausible"):
        Flow(id="x", title="x", currency="JPY",
             questions=(Question("q", "q", "q?", kind=Number("{number}"), plausible_max=5),),
             transitions=(), verdicts=(), conditions={})

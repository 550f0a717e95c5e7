"""Month names are dates, read against today: never a number of months (issue: 11月的账单没还
on 4 December was read as "more than 3 months" and led to the criminal-risk verdict)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core import dates
from bot.core.amount_words import find_amount
from bot.core.flow import AMBIGUOUS
from flows.card_overdue import read_overdue_for
from tests.support import Chat


@pytest.fixture(autouse=True)
def december_4(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: date(2026, 12, 4))


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("今年10月开始逾期的", "m1to3"),  # 34 to 64 days ago
        ("十月份开始没还", "m1to3"),
        ("8月から延滞してます", "gt3m"),  # 95 days at the least
        ("去年12月开始", "gt3m"),
        ("2026年6月から払えてない", "gt3m"),
        ("上上个月开始没还", "m1to3"),
        # the numbers of months still read as lengths of time
        ("3个月", "m1to3"),
        ("逾期11个月", "gt3m"),
        ("3か月以上", "gt3m"),
    ],
)
def test_a_month_name_is_read_as_the_date_it_names(text, option):
    assert read_overdue_for(text) == option


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # last month's bill: due in November or December, maybe not yet
        ("11月的账单没还", "not_yet|lt1m|m1to3"),
        ("上个月", "lt1m|m1to3"),  # 4 to 33 days: either side of one month
        ("9月开始逾期", "m1to3|gt3m"),  # 65 to 94 days: either side of three months
        ("这个月的账单还不上", "not_yet|lt1m"),  # not due yet, or just overdue
        ("3月", AMBIGUOUS),  # March, or three months typed loosely
    ],
)
def test_a_date_that_straddles_a_boundary_asks_between_just_the_options_it_fits(text, asked):
    assert read_overdue_for(text) == asked


def test_the_options_a_date_fits_are_offered_as_buttons():
    chat = Chat("zh")
    chat.run("@card_overdue", "9月份开始就没还了")
    assert "status" not in chat.session.answers
    assert [o.id for o in chat.last.options] == ["m1to3", "gt3m"]


def test_in_march_november_is_last_year(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: date(2027, 3, 10))
    assert dates.days_since_month("11月から") == (100, 129)


def test_a_length_said_outright_wins_over_a_date():
    assert read_overdue_for("上个月开始逾期，已经两个多月了") == "m1to3"


def test_the_november_bill_on_december_4_does_not_reach_the_criminal_risk_path():
    chat = Chat("zh")
    chat.run("@card_overdue", "11月的账单没还")
    assert chat.state == "status" and "status" not in chat.session.answers


@pytest.mark.parametrize(
    "text",
    ["月2万の返済であと24回", "还剩12期，每期3000", "毎月3万で残り36回"],
)
def test_a_monthly_payment_is_not_the_balance(text):
    assert find_amount(text) is None


def test_a_balance_in_a_sentence_is_still_read():
    assert find_amount("残り120万くらいです") == 1_200_000


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("11月25号该还的，没还", "lt1m"),  # 9 days
        ("从10月20号开始没还的", "m1to3"),  # 45 days
        ("2026年9月30号的还款日，一直没还", "m1to3"),  # 65 days
        ("9月4号到期的那笔到今天没还", "m1to3"),  # 91 days: three months, as its label says
        ("8月3日から払ってない", "gt3m"),  # 123 days
    ],
)
def test_a_day_of_a_month_is_read_to_the_day(text, option):
    assert read_overdue_for(text) == option


def test_today_named_as_the_due_date_is_not_guessed():
    assert read_overdue_for("12月4日が引き落とし日") == "not_yet|lt1m"


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("国庆以后一直没还", "m1to3"),  # 1–7 October 2026: 58 to 64 days ago
        ("春節が明けてから払ってない", "gt3m"),  # 17 February 2026
        ("ゴールデンウィークの後から", "gt3m"),
    ],
)
def test_a_holiday_is_read_as_the_date_it_names(text, option):
    assert read_overdue_for(text) == option


def test_a_holiday_is_not_a_length_of_time():
    assert dates.without_month_names("十一长假之后").strip() == "之后"


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("8月末から払ってない", "gt3m"),  # 21–31 August: 95 days at the least
        ("9月下旬から延滞", "m1to3"),  # 21–30 September: 65 to 74 days, not 9月's 65 to 94
        ("10月初めから払えてない", "m1to3"),  # 1–10 October: 55 to 64 days
        ("先月の末から", "lt1m"),
    ],
)
def test_a_third_of_a_month_narrows_the_date(text, option):
    assert read_overdue_for(text) == option


def test_during_a_month_is_the_whole_month():
    assert read_overdue_for("9月中に払えなくなった") == AMBIGUOUS  # 9月中: no third of it


@pytest.mark.parametrize(
    "text", ["先週の引き落としができなかった", "先週から払えてない", "上周的还款没还上"]
)
def test_last_week_beside_a_payment_is_a_date(text):
    assert read_overdue_for(text) == "lt1m"


def test_last_week_alone_dates_no_payment():
    assert dates.days_since_month("先週電話が来ました") is None


def test_a_debit_of_last_month_fell_due_last_month():
    # 引き落とし is the debit itself, not a bill that falls due the month after
    assert read_overdue_for("先月の引き落としが通らなかった") == "lt1m|m1to3"
    assert read_overdue_for("先月の請求が払えてない") == "not_yet|lt1m|m1to3"

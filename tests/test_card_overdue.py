"""The card_overdue flow driven through the real engine: every verdict, every option."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import bot.core.i18n
from bot.app import build_engine
from bot.core import texts
from bot.core.engine import Engine
from bot.core.events import Reply
from bot.core.flow import either
from bot.core.i18n import BABEL_LOCALES, CATALOG_DIRS, DOMAIN, LANGUAGES, format_number, translate
from flows import FLOWS
from flows import card_overdue as co
from tests import support

FLOW = co.FLOW


SETTLE = co.COLLECTIONS.settle
SPACING = "spacing asked"  # expected: not recorded, the settling yes/no question asked
SETTLE_BUTTONS = ["twice_or_more", "once", "unsure"]  # yes first, then no, then "don't remember"


class Chat(support.Chat):
    """support.Chat that also records the state after every line; a fresh engine on request
    (one built after the catalogs were swapped, say)."""

    def __init__(self, lang: str = "ja", engine: Engine | None = None) -> None:
        self.states: list[str | None] = []
        self.lang = lang
        super().__init__(lang, user="u", engine=engine)

    def send(self, line: str) -> list[Reply]:
        replies = super().send(line)
        self.states.append(self.session.state)
        return replies

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.replies)


def start(lang: str = "ja", engine: Engine | None = None) -> Chat:
    chat = Chat(lang, engine)
    chat.send("@card_overdue")
    assert chat.session.flow == "card_overdue"
    assert chat.session.state == "status"
    return chat


def yuan(amount: int, lang: str) -> str:
    return translate(lang, texts.YUAN).format(amount=format_number(amount, lang))


def shown(block: co.Block, lang: str, **values: int) -> str:
    money = {name: yuan(amount, lang) for name, amount in values.items()}
    return translate(lang, block.text).format_map(money)


# -- every path: (button presses and typed answers, verdict, answers recorded) -----------

PATHS = [
    (("@not_yet", "@full"), "before_overdue", {"status": "not_yet", "ability": "full"}),
    (("@not_yet", "@partial"), "before_overdue", {"status": "not_yet", "ability": "partial"}),
    (("@not_yet", "@none"), "before_overdue", {"status": "not_yet", "ability": "none"}),
    (("@lt1m", "@full"), "pay_in_full", {"status": "lt1m", "ability": "full"}),
    (("@m1to3", "@full"), "pay_in_full", {"status": "m1to3", "ability": "full"}),
    (("@gt3m", "@full"), "pay_in_full", {"status": "gt3m", "ability": "full"}),
    (
        ("@lt1m", "@partial", "3万"),
        "instalment_agreement",
        {"status": "lt1m", "ability": "partial", "principal": 30_000},
    ),
    (
        ("@lt1m", "@none", "20000"),
        "instalment_agreement",
        {"status": "lt1m", "ability": "none", "principal": 20_000},
    ),
    (
        ("@m1to3", "@none", "8万"),
        "instalment_agreement",
        {"status": "m1to3", "ability": "none", "principal": 80_000},
    ),
    (
        ("@m1to3", "@partial", "500万"),
        "instalment_agreement",
        {"status": "m1to3", "ability": "partial", "principal": 5_000_000},
    ),
    (
        ("@gt3m", "@none", "49999"),
        "instalment_agreement",
        {"status": "gt3m", "ability": "none", "principal": 49_999},
    ),
    (
        ("@gt3m", "@partial", "49,999元"),
        "instalment_agreement",
        {"status": "gt3m", "ability": "partial", "principal": 49_999},
    ),
    (
        ("@gt3m", "@none", "50000", "@none"),
        "instalment_agreement",
        {"status": "gt3m", "ability": "none", "principal": 50_000, "collections": "none"},
    ),
    (
        ("@gt3m", "@partial", "5万元", "@once"),
        "instalment_agreement",
        {"status": "gt3m", "ability": "partial", "principal": 50_000, "collections": "once"},
    ),
    (
        ("@gt3m", "@none", "50000", "@twice_or_more"),
        "legal_risk",
        {"status": "gt3m", "ability": "none", "principal": 50_000, "collections": "twice_or_more"},
    ),
    (
        ("@gt3m", "@none", "60万", "@unsure"),
        "legal_risk",
        {"status": "gt3m", "ability": "none", "principal": 600_000, "collections": "unsure"},
    ),
    (
        ("@gt3m", "@partial", "8万", "@twice_or_more"),
        "legal_risk",
        {
            "status": "gt3m",
            "ability": "partial",
            "principal": 80_000,
            "collections": "twice_or_more",
        },
    ),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("lines", "verdict", "answers"), PATHS)
def test_every_path(lang, lines, verdict, answers):
    chat = start(lang)
    chat.run(*lines)
    assert chat.session.state == verdict
    assert chat.verdict == verdict
    assert chat.session.answers == answers
    assert chat.session.history == list(answers)  # questions asked, in order
    if "principal" in answers:
        assert type(chat.session.answers["principal"]) is int
    # every message of the verdict is non-empty, filled in, and ends with the closing prompt
    assert all(r.text.strip() for r in chat.replies)
    assert not re.search(r"\{\w*\}", chat.text), chat.text
    messages = [r for r in chat.replies if r.notice != "ack"]  # "✓ principal: 8万元" first
    assert [r.verdict for r in messages] == [verdict] * len(messages)
    assert [o.id for o in chat.replies[-1].options] == ["restart", "menu", "export"]
    assert shown(co.DISCLAIMER, lang) in chat.text


def test_paths_cover_every_option_and_verdict():
    chosen = {(q, v) for _, _, answers in PATHS for q, v in answers.items() if isinstance(v, str)}
    expected = {(q.id, o.id) for q in FLOW.questions for o in q.options if o.info is None}
    assert chosen == expected
    assert {verdict for _, verdict, _ in PATHS} == {v.id for v in FLOW.verdicts}


# -- the threshold and when collections is asked -------------------------------------------


@pytest.mark.parametrize(
    ("principal", "asks_collections"),
    [
        ("49999", False),
        ("49,999", False),
        ("50000", True),
        ("5万", True),
        ("50,001", True),
        ("0", False),
    ],
)
def test_threshold_boundary_decides_whether_collections_is_asked(principal, asks_collections):
    chat = start()
    chat.run("@gt3m", "@none", principal)
    if asks_collections:
        assert chat.session.state == "collections"
        assert [o.id for o in chat.replies[-1].options] == [
            "none", "once", "twice_or_more", "unsure"]
    else:
        assert chat.session.state == "instalment_agreement"
        assert "collections" not in chat.session.history


@pytest.mark.parametrize("status", ["lt1m", "m1to3"])
def test_collections_skipped_when_not_long_overdue_even_above_threshold(status):
    chat = start()
    chat.run(f"@{status}", "@none", "1000万")  # at plausible_max: no confirmation either
    assert chat.session.state == "instalment_agreement"
    assert chat.session.answers == {"status": status, "ability": "none", "principal": 10_000_000}
    assert "collections" not in chat.states


@pytest.mark.parametrize("status", ["not_yet", "lt1m", "m1to3", "gt3m"])
def test_principal_and_collections_skipped_for_full_repayment(status):
    chat = start()
    chat.run(f"@{status}", "@full")
    assert chat.states[-2:] == ["ability", chat.session.state]
    assert "principal" not in chat.states and "collections" not in chat.states


@pytest.mark.parametrize("lang", LANGUAGES)
def test_threshold_sentence_below(lang):
    chat = start(lang)
    chat.run("@gt3m", "@none", "49999")
    assert shown(co.BELOW_THRESHOLD, lang, principal=49_999, threshold=50_000) in chat.text
    above = shown(co.AT_OR_ABOVE_THRESHOLD, lang, principal=49_999, threshold=50_000)
    assert above not in chat.text
    assert yuan(49_999, lang) in chat.text and yuan(50_000, lang) in chat.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_threshold_sentence_at(lang):
    chat = start(lang)
    chat.run("@gt3m", "@none", "50000", "@once")
    assert shown(co.AT_OR_ABOVE_THRESHOLD, lang, principal=50_000, threshold=50_000) in chat.text
    assert shown(co.FEWER_THAN_TWO_DEMANDS, lang) in chat.text
    assert shown(co.BELOW_THRESHOLD, lang, principal=50_000, threshold=50_000) not in chat.text


def test_numbers():
    assert co.numbers({}) == {"threshold": 50_000}
    assert co.numbers({"principal": 80_000}) == {"principal": 80_000, "threshold": 50_000}
    assert co.numbers({"principal": "unknown"}) == {"threshold": 50_000}


# -- amounts --------------------------------------------------------------------------------


def test_implausible_principal_is_confirmed():
    chat = start("zh")
    chat.run("@gt3m", "@none", "2000万")
    assert chat.session.state == "principal"
    assert chat.session.pending == {"confirm": 20_000_000}
    assert "principal" not in chat.session.answers
    assert [o.id for o in chat.replies[-1].options] == ["yes", "no"]
    chat.send("@yes")
    assert chat.session.answers["principal"] == 20_000_000
    assert chat.session.state == "collections"


def test_implausible_principal_can_be_retyped():
    chat = start("ja")
    chat.run("@lt1m", "@partial", "3億")
    assert chat.session.pending == {"confirm": 300_000_000}
    chat.send("@no")
    assert chat.session.state == "principal" and not chat.session.pending
    chat.send("3万")
    assert chat.session.state == "instalment_agreement"
    assert chat.session.answers["principal"] == 30_000


@pytest.mark.parametrize("typed", ["-5万", "たくさん", "很多钱"])
def test_unreadable_or_negative_principal_asks_again(typed):
    chat = start()
    chat.run("@m1to3", "@none", typed)
    assert chat.session.state == "principal"
    assert "principal" not in chat.session.answers
    assert chat.replies[-1].expects == "amount"


@pytest.mark.parametrize(
    ("lang", "line"),
    [("ja", "@unknown"), ("ja", "わからない"), ("zh", "不知道"), ("zh", "@unknown")],
)
def test_unknown_principal_explains_and_asks_again(lang, line):
    chat = start(lang)
    chat.run("@gt3m", "@none", line)
    assert chat.session.state == "principal"
    assert "principal" not in chat.session.answers
    info = FLOW.question("principal").option("unknown").info
    assert chat.replies[0].text == translate(lang, info)
    assert chat.replies[-1].question == "card_overdue.principal"


# -- navigation -------------------------------------------------------------------------------


def test_back_from_legal_risk_and_change_answers():
    chat = start()
    chat.run("@gt3m", "@none", "8万", "@twice_or_more")
    assert chat.session.state == "legal_risk"
    chat.send("/back")
    assert chat.session.state == "collections"
    assert "collections" not in chat.session.answers
    chat.send("@once")
    assert chat.session.state == "instalment_agreement"
    chat.run("/back", "/back")
    assert chat.session.state == "principal"
    chat.send("3万")
    assert chat.session.state == "instalment_agreement"
    assert chat.session.answers == {"status": "gt3m", "ability": "none", "principal": 30_000}


# -- typed answers in both languages ----------------------------------------------------------

TYPED = [
    ("status", (), "まだ", "not_yet"),
    ("status", (), "还没逾期", "not_yet"),
    ("status", (), "1か月未満", "lt1m"),
    ("status", (), "不到一个月", "lt1m"),
    ("status", (), "2ヶ月", "m1to3"),
    ("status", (), "两个月", "m1to3"),
    ("status", (), "3カ月以上", "gt3m"),
    ("status", (), "超过三个月", "gt3m"),
    ("status", (), "12か月", "gt3m"),
    ("status", (), "半年", "gt3m"),
    ("ability", ("@lt1m",), "全額払える", "full"),
    ("ability", ("@lt1m",), "能全部还", "full"),
    ("ability", ("@lt1m",), "一部なら", "partial"),
    ("ability", ("@lt1m",), "只能还一部分", "partial"),
    ("ability", ("@lt1m",), "払えない", "none"),
    ("ability", ("@lt1m",), "还不起", "none"),
    ("collections", ("@gt3m", "@none", "6万"), "なし", "none"),
    ("collections", ("@gt3m", "@none", "6万"), "没有", "none"),
    ("collections", ("@gt3m", "@none", "6万"), "1回", "once"),
    ("collections", ("@gt3m", "@none", "6万"), "一次", "once"),
    # once each, of two things in months with one between: two demands 30 days apart
    ("collections", ("@gt3m", "@none", "6万"), "9月和11月各一次", "twice_or_more"),
    ("collections", ("@gt3m", "@none", "6万"), "毎月1回電話が来る", "twice_or_more"),
    # two demands count as two only 30 days apart or more
    ("collections", ("@gt3m", "@none", "6万"), "两次，间隔不到一个月", "once"),
    ("collections", ("@gt3m", "@none", "6万"), "一个月内打了三次", "once"),
    ("collections", ("@gt3m", "@none", "6万"), "1週間おきに3回", "once"),
]


@pytest.mark.parametrize("typed", ["两次催收隔了大概一个月", "三个月内打了五次"])
def test_demands_about_thirty_days_apart_are_asked(typed):
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万")
    replies = chat.send(typed)
    assert "collections" not in chat.session.answers
    assert {c.id for c in replies[-1].options} >= {"once", "twice_or_more"}


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("不止三个月", "gt3m"),  # more than: past the boundary it names
        ("逾期不只两个月了", "m1to3"),
        ("还有一周到还款日 钱不够", "not_yet"),  # a week to go before the due date
        ("离还款日还有3天", "not_yet"),
        ("最低还款也还不起了 还差几天到期", "not_yet"),
        ("还差一周就满三个月了", "m1to3"),  # short of three months: overdue, still
    ],
)
def test_more_than_and_time_left_before_the_due_date(typed, option):
    chat = start("zh")
    chat.send(typed)
    assert chat.session.answers.get("status") == option


@pytest.mark.parametrize(
    "typed", ["能全部还，但是得分12期", "全部还清的话要分期", "本金能还清 利息罚息不想还"]
)
def test_all_in_instalments_or_the_principal_without_interest_is_part(typed):
    chat = start("zh")
    chat.run("@lt1m")
    chat.send(typed)
    assert chat.session.answers.get("ability") == "partial"


def test_all_without_instalments_is_still_all():
    chat = start("zh")
    chat.run("@lt1m")
    chat.send("能全部还清")
    assert chat.session.answers.get("ability") == "full"
    chat = start("zh")
    chat.run("@lt1m")
    chat.send("本金能还，利息也能还")  # the interest too: not part of it
    assert chat.session.answers.get("ability") != "partial"


@pytest.mark.parametrize("typed", ["欠6万多，本金多少不清楚", "全部で60万、元金はわからない"])
def test_the_principal_said_unknown_beside_another_figure_is_unknown(typed):
    chat = start("zh")
    chat.run("@lt1m", "@partial")
    assert chat.session.state == "principal"
    chat.send(typed)
    assert "principal" not in chat.session.answers or chat.session.answers["principal"] == "unknown"
    assert chat.session.answers.get("principal") != 60_000


def test_two_lengths_in_different_bands_are_asked():
    chat = start("zh")
    chat.send("两张卡，一张逾期半个月，另一张4个月了")
    assert "status" not in chat.session.answers
    assert chat.session.state == "status"


@pytest.mark.parametrize(
    "typed", ["8月份上门来过一次，上周又接了电话", "8月に電話が1回来て、11月にまた督促状が届いた"]
)
def test_one_demand_counted_and_another_again_is_two(typed):
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万")
    chat.send(typed)
    assert chat.session.answers.get("collections") == "twice_or_more"


@pytest.mark.parametrize(
    "typed", ["催促の電話が2回、1ヶ月以上あいてます", "打过两次电话，中间隔了一个多月"]
)
def test_the_time_between_two_demands_is_not_how_long_it_is_overdue(typed):
    chat = start("ja")
    chat.run("@gt3m", "@none", "6万")
    chat.send(typed)
    assert chat.session.answers["status"] == "gt3m"
    assert chat.session.answers["collections"] == "twice_or_more"


@pytest.mark.parametrize(("question", "before", "typed", "option"), TYPED)
def test_typed_answers(question, before, typed, option):
    chat = start("ja")  # typed answers are read in either language, whatever the session's
    chat.run(*before)
    assert chat.session.state == question
    chat.send(typed)
    assert chat.session.answers.get(question) == option


@pytest.mark.parametrize(
    ("before", "typed"),
    [
        (("@lt1m",), "全額は無理"),  # 全額 (full) and 無理 (none): ambiguous
        (("@lt1m",), "全部払えない"),  # a negation: only exact answers count
        (("@lt1m",), "不能全部还 只能还一点"),  # not all: part, or nothing?
        ((), "3ヶ月くらいです"),  # about three months: either side of the boundary
        ((), "一个月左右"),
    ],
)
def test_ambiguous_or_unclear_typed_answers_are_asked_again(before, typed):
    chat = start()
    chat.run(*before)
    state = chat.session.state
    chat.send(typed)
    assert chat.session.state == state
    assert state not in chat.session.answers


# -- the menu -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "カード",
        "クレジットカード",
        "クレジットカードを延滞しています",
        "延滞",
        "信用卡",
        "逾期",
        "信用卡逾期",
        "信用卡逾期了怎么办",
        "クレカ",
    ],
)
def test_menu_keywords(typed):
    chat = Chat("ja")
    chat.send(typed)
    assert chat.session.flow == "card_overdue"
    assert chat.session.state == "status"


def test_menu_keyword_card_in_english():
    chat = Chat("ja")
    chat.send("credit card")
    assert chat.session.flow == "card_overdue"


def test_menu_lists_card_overdue_after_car_sale():
    assert [f.id for f in FLOWS][:2] == ["car_sale", "card_overdue"]
    chat = Chat("zh")
    chat.send("/start")
    assert [o.id for o in chat.replies[-1].options][:2] == ["car_sale", "card_overdue"]


# -- catalogs --------------------------------------------------------------------------------


def flow_msgids() -> list[str]:
    ids = [FLOW.title]
    for q in FLOW.questions:
        ids += [q.title, q.prompt] + ([q.example] if q.example else [])
        for o in q.options:
            ids += [o.label] + ([o.info] if o.info else [])
    for v in FLOW.verdicts:
        ids.append(v.headline)
        ids += [b.text for message in v.messages for b in message]
    return list(dict.fromkeys(ids))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_placeholders_are_known():
    known = {"principal", "threshold"}
    for msgid in flow_msgids():
        assert placeholders(msgid) <= known, msgid


@pytest.mark.parametrize("lang", LANGUAGES)
def test_real_catalog_translations_keep_placeholders(lang):
    """Passes before the merge too: only entries already translated are checked."""
    catalog = bot.core.i18n.catalog(lang)
    for msgid in flow_msgids():
        if msgid in catalog:
            assert placeholders(catalog[msgid]) == placeholders(msgid), (lang, msgid)


@pytest.fixture
def temporary_catalogs(tmp_path, monkeypatch):
    """Catalogs in which every card_overdue msgid is translated as "«lang» msgid"."""
    for lang in LANGUAGES:
        catalog = Catalog(locale=BABEL_LOCALES[lang], domain=DOMAIN)
        for msgid in flow_msgids():
            catalog.add(msgid, f"«{lang}» {msgid}")
        folder = tmp_path / CATALOG_DIRS[lang] / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / f"{DOMAIN}.po").open("wb") as fp:
            write_po(fp, catalog)
    monkeypatch.setattr(bot.core.i18n, "locales_dir", lambda: tmp_path)
    bot.core.i18n.catalog.cache_clear()
    yield
    bot.core.i18n.catalog.cache_clear()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_flow_text_comes_from_the_catalog_and_is_not_empty(temporary_catalogs, lang):
    engine = build_engine(warm_up=False)
    marker = f"«{lang}» "
    for lines, verdict, _ in PATHS:
        chat = start(lang, engine)
        replies = list(chat.replies)
        for line in lines:
            replies += chat.send(line)
        assert chat.session.state == verdict
        questions = [
            r
            for r in replies
            if r.question and r.question.startswith("card_overdue.") and r.verdict is None
        ]
        assert questions
        for reply in questions:
            assert reply.text.startswith(marker) and len(reply.text) > len(marker) + 10
            assert all(o.label.startswith(marker) for o in reply.options)
        messages = [r for r in replies if r.verdict and r.options == ()]
        assert messages
        for reply in messages:
            assert reply.text.removeprefix("【").startswith(marker)  # a section title first
            titles = [s.title for s in reply.sections if s.title != texts.SOURCES]
            assert all(title.startswith(marker) for title in titles)  # 根拠 is the engine's
            paragraphs = reply.text.split("\n\n")
            assert all(p.strip() for p in paragraphs)
            assert not re.search(r"\{\w*\}", reply.text)
    # typed answers also accept the translated labels
    chat = start(lang, engine)
    chat.send(f"«{lang}» Overdue 1–3 months")
    assert chat.session.answers == {"status": "m1to3"}


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("3个月", "m1to3"),
        ("逾期三个月了", "m1to3"),
        ("一个半月", "m1to3"),
        ("1か月", "m1to3"),
        ("1-3个月", "m1to3"),
        ("13个月", "gt3m"),
        ("七个月", "gt3m"),
        ("8ヶ月", "gt3m"),
        ("半年", "gt3m"),
        ("两年", "gt3m"),
        ("20天", "lt1m"),
        ("10日", "lt1m"),
        ("2週間くらい", "lt1m"),
        # "more than", "less than", "about" and halves, as people say them
        ("两个多月了", "m1to3"),
        ("上个月开始逾期，已经两个多月了", "m1to3"),
        ("两个来月", "m1to3"),
        ("20多天", "lt1m"),
        ("30多天", "m1to3"),
        ("半个月", "lt1m"),
        ("快一个月了", "lt1m"),
        ("快三个月了", "m1to3"),
        ("一年多了", "gt3m"),
        ("3个月以上了", "gt3m"),
        ("已经超过3个月了", "gt3m"),
        ("もう3か月以上になります", "gt3m"),
        ("3ヶ月を超えています", "gt3m"),
        ("1か月ちょっと", "m1to3"),
        ("一ヶ月半", "m1to3"),
        ("快半年了", "gt3m"),  # almost half a year is still months, not days
        ("3か月ちょっと", "gt3m"),
        ("3か月過ぎ", "gt3m"),
        ("三个月出头", "gt3m"),
        ("逾期三个月零十天", "gt3m"),  # a smaller unit right after adds up
        ("3か月と10日", "gt3m"),
        ("2か月と20日", "m1to3"),
        ("一百天了", "gt3m"),
        ("我没有逾期很久", None),  # 没有 inside a sentence is no answer
    ],
)
def test_how_long_can_be_typed_as_a_number_and_a_unit(typed, option):
    chat = Chat("zh")
    chat.run("@card_overdue", typed)
    assert chat.session.answers.get("status") == option


def _block(verdict_id: str, starts: str) -> co.Block:
    verdict = FLOW.verdict(verdict_id)
    assert verdict is not None
    return next(b for group in verdict.messages for b in group if b.text.startswith(starts))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_not_overdue_and_able_to_pay_in_full_leads_with_paying_by_the_due_date(lang):
    pay = shown(_block("before_overdue", "If you can pay the full statement balance"), lang)
    call = shown(_block("before_overdue", "Call the number on the back"), lang)
    chat = start(lang)
    chat.run("@not_yet", "@full")
    assert chat.verdict == "before_overdue"
    text = chat.text
    assert call not in text
    paragraphs = text.split("\n\n")
    headline = translate(lang, FLOW.verdict("before_overdue").headline)
    assert paragraphs[paragraphs.index(headline) + 1] == pay  # right after the headline
    # Who cannot pay it all is told to call the bank first.
    chat = start(lang)
    chat.run("@not_yet", "@partial")
    assert call in chat.text and pay not in chat.text


@pytest.mark.parametrize(("typed", "option"), [("还不上", "none"), ("暂时还不上", "none"),
                                               ("还不了", "none"), ("能还一部分", "partial")])
def test_ability_can_be_typed_as_people_say_it(typed, option):
    chat = start("zh")
    chat.run("@gt3m", typed)
    assert chat.session.answers.get("ability") == option


def test_the_scope_is_said_once_as_the_consultation_starts_not_at_each_reprompt():
    chat = Chat("zh")
    chat.send("@card_overdue")
    scope = translate("zh", FLOW.intro)
    assert [r.text for r in chat.replies[:1]] == [scope]
    assert chat.last.question == "card_overdue.status"
    chat.send("能还一部分")  # not an answer to this question
    assert scope not in chat.text and chat.last.question == "card_overdue.status"
    chat.run("@m1to3", "/restart")
    assert scope in chat.text and chat.last.question == "card_overdue.status"


def test_naming_the_consultation_with_how_long_answers_its_first_question_too():
    chat = Chat("zh")
    chat.send("信用卡逾期两个多月了")
    assert chat.session.answers == {"status": "m1to3"}
    assert chat.replies[0].text == translate("zh", FLOW.intro)  # the scope still comes first
    assert chat.replies[1].text.startswith("✓ ")  # and the answer is said back
    assert chat.last.question == "card_overdue.ability"


@pytest.mark.parametrize("typed", ["信用卡逾期了，还没还", "クレジットカードの延滞", "信用卡逾期"])
def test_naming_the_consultation_without_a_duration_answers_nothing(typed):
    """A synonym somewhere in the sentence ("还没" is "not yet") is no answer here."""
    chat = Chat("zh")
    chat.send(typed)
    assert chat.session.answers == {}
    assert chat.last.question == "card_overdue.status"


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("打了一次电话发了一次短信", SPACING),  # counted up, not "once"
        ("3次", SPACING),
        ("银行打过两次电话催收", SPACING),
        ("一次都没有", "none"),
        ("1回もない", "none"),
        ("一次", "once"),
        ("十几次", SPACING),
        ("一两次吧", None),  # once or twice: the difference that matters here, so ask
        ("1、2回", None),
        ("12回", SPACING),  # twelve, not "1 or 2"
        ("電話はたくさん来てるけど出てない", None),  # the ない of 出てない is not "none"
    ],
)
def test_formal_demands_can_be_typed_as_counts(typed, option):
    chat = Chat("zh")
    chat.run("@card_overdue", "@gt3m", "@none", "6万", typed)
    if option == SPACING:  # two or more: whether two were 30 days apart is asked
        assert "collections" not in chat.session.answers
        assert chat.last.text == translate("zh", SETTLE.prompt)
        return
    assert chat.session.answers.get("collections") == option


@pytest.mark.parametrize(("lang", "typed", "yes", "no"), [
    ("ja", "何度も", "はい", "いいえ"),
    ("zh", "好几次", "是", "没有"),
    ("ja", "電話とハガキが1回ずつ", "はい", "いいえ"),  # once each, of two things: two
    ("zh", "打了三次", "有", "不是"),
    ("ja", "3回", "はい", "いや"),
])
def test_a_count_without_its_spacing_asks_whether_two_were_30_days_apart(lang, typed, yes, no):
    # only two demands at least 30 days apart count as two (and lead to the legal-risk
    # verdict): a count alone does not say so, so the one question that settles it is asked
    for answer, option in ((yes, "twice_or_more"), (no, "once")):
        chat = start(lang)
        chat.run("@gt3m", "@none", "6万", typed)
        assert "collections" not in chat.session.answers
        assert chat.last.text == translate(lang, SETTLE.prompt)
        assert [o.id for o in chat.last.options] == SETTLE_BUTTONS
        chat.send(answer)
        assert chat.session.answers["collections"] == option


@pytest.mark.parametrize(("typed", "option"), [
    ("隔了一个多月", "twice_or_more"), ("1ヶ月以上あいてた", "twice_or_more"),
    ("都在同一周", "once"), ("两次，间隔不到一个月", "once"),
])
def test_the_spacing_typed_in_words_answers_the_spacing_question(typed, option):
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万", "打了两次电话", typed)
    assert chat.session.answers["collections"] == option


def test_a_spacing_question_left_unanswered_asks_the_whole_question_again():
    chat = start("ja")
    chat.run("@gt3m", "@none", "6万", "2回")
    chat.send("ちょっと待って")  # neither yes nor no: the spacing is not guessed
    assert "collections" not in chat.session.answers
    assert not chat.session.pending
    assert chat.last.text.startswith(translate("ja", co.COLLECTIONS.prompt))


def test_dont_know_at_the_spacing_question_is_dont_know():
    chat = start("ja")
    chat.run("@gt3m", "@none", "6万", "2回", "わからない")
    assert chat.session.answers["collections"] == "unsure"


@pytest.mark.parametrize(("typed", "option"), [
    ("10月10号接了一个，11月15号又接了一个", "twice_or_more"),  # 36 days apart
    ("11月1号和11月20号各一次", "once"),  # 19 days
    ("毎日電話くる、もう3ヶ月くらい", "twice_or_more"),  # every day for months
    ("农行催收电话接了好几次 一个月一次吧", "twice_or_more"),  # once a month
    ("10月一次 11月一次", SPACING),  # 31 October and 1 November are a day apart
    ("上个月接过一次，这个月又接了一次", SPACING),  # 上个月一次 is not "once a month"
])
def test_dates_and_rates_say_the_spacing(typed, option):
    expected = either("once", "twice_or_more") if option == SPACING else option
    assert co.read_demands(typed) == expected


@pytest.mark.parametrize(
    ("question", "typed", "option"),
    [
        ("ability", "能一次性还清", "full"),
        ("ability", "一分钱都没有", "none"),
        ("ability", "只能分期还", "partial"),
        # not "nothing": in instalments is part of it now (as 能全部还，但是得分12期)
        ("ability", "一次性还不了，分期可以", "partial"),
    ],
)
def test_more_ways_to_say_how_much_can_be_repaid(question, typed, option):
    chat = Chat("zh")
    chat.run("@card_overdue", "@gt3m", typed)
    assert chat.session.answers.get(question) == option


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("五万左右", 50_000), ("大概4万6", 46_000), ("4万8千くらい", 48_000), ("五万出头", 50_000),
     ("50万左右", 500_000), ("五百万上下", 5_000_000)],
)
def test_an_approximate_principal_near_a_threshold_is_confirmed_before_it_decides(typed, amount):
    """五万左右 was recorded as exactly 50,000 yuan, on the criminal threshold, without a word."""
    chat = Chat("zh")
    chat.run("@card_overdue", "@gt3m", "@partial", typed)
    assert "principal" not in chat.session.answers
    assert chat.session.pending == {"confirm": amount, "near": next(
        b for b in (50_000, 500_000, 5_000_000) if abs(amount - b) <= b // 10)}
    assert [o.id for o in chat.last.options] == ["yes", "no"]
    chat.send("4万3")  # the exact figure typed instead
    assert chat.session.answers["principal"] == 43_000


@pytest.mark.parametrize("typed", ["48000", "5万", "大概3万", "20万左右"])
def test_an_exact_amount_or_one_far_from_a_threshold_is_taken_as_it_is(typed):
    chat = Chat("zh")
    chat.run("@card_overdue", "@gt3m", "@partial", typed)
    assert "principal" in chat.session.answers


# -- expert review (2026-12) ------------------------------------------------------------------


def _texts(chat: Chat) -> str:
    return chat.text


def _shown_in(chat: Chat, block: co.Block, **values: int) -> bool:
    return shown(block, chat.lang, **values) in chat.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("lines", "verdict", "answers"), PATHS)
def test_at_most_three_messages_per_verdict(lang, lines, verdict, answers):
    chat = start(lang)
    chat.run(*lines)
    messages = [r for r in chat.replies if r.verdict and not r.options and r.notice != "ack"]
    assert 1 <= len(messages) <= 3


def test_every_verdict_has_at_most_three_messages_in_its_definition():
    assert all(len(v.messages) <= 3 for v in FLOW.verdicts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_able_to_pay_before_the_due_date_is_two_lines_in_one_message(lang):
    chat = start(lang)
    chat.run("@not_yet", "@full")
    messages = [r for r in chat.replies if r.verdict and not r.options and r.notice != "ack"]
    assert len(messages) == 1
    headline = translate(lang, FLOW.verdict("before_overdue").headline)
    pay = shown(_block("before_overdue", "If you can pay the full statement balance"), lang)
    assert messages[0].text.split("\n\n")[:2] == [headline, pay]
    assert shown(co.AGENTS, lang) not in chat.text  # the rest is for who cannot pay it all


@pytest.mark.parametrize(
    ("lines", "band"),
    [
        (("@gt3m", "@none", "60万", "@twice_or_more"), co.BAND_HUGE),
        (("@m1to3", "@partial", "60万"), co.BAND_HUGE),
        (("@gt3m", "@none", "8万", "@twice_or_more"), co.BAND_LARGE),
        (("@gt3m", "@none", "8万", "@once"), co.BAND_LARGE),
        (("@m1to3", "@none", "600万"), co.BAND_ESPECIALLY_HUGE),
        (("@gt3m", "@none", "3万"), co.BELOW_THRESHOLD),
    ],
)
def test_the_band_the_user_is_in_is_named_and_only_that_one(lines, band):
    chat = start("zh")
    chat.run(*lines)
    principal = chat.session.answers["principal"]
    shown_bands = [b for b in co.BANDS if _shown_in(chat, b, principal=principal, threshold=50_000)]
    assert shown_bands == [band]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "lines",
    [("@gt3m", "@none", "60万", "@twice_or_more"), ("@m1to3", "@partial", "60万"),
     ("@gt3m", "@partial", "600万", "@unsure")],
)
def test_above_the_first_band_repaying_is_mitigation_not_no_prosecution(lang, lines):
    """60万 is 数额巨大: 'may not be prosecuted if repaid' is for 数额较大 only (Art. 10)."""
    chat = start(lang)
    chat.run(*lines)
    assert not _shown_in(chat, co.REPAY_LARGE)
    assert _shown_in(chat, co.REPAY_HIGHER)
    assert "may not be prosecuted" not in co.REPAY_HIGHER.text
    assert _shown_in(chat, co.PRINCIPAL_FIRST, threshold=50_000)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_in_the_first_band_repaying_may_mean_no_prosecution(lang):
    chat = start(lang)
    chat.run("@gt3m", "@partial", "8万", "@twice_or_more")
    assert _shown_in(chat, co.REPAY_LARGE) and not _shown_in(chat, co.REPAY_HIGHER)
    assert "punished twice" in co.REPAY_LARGE.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unsure_demands_is_not_silently_twice_or_more(lang):
    unsure = start(lang)
    unsure.run("@gt3m", "@none", "8万", "@unsure")
    twice = start(lang)
    twice.run("@gt3m", "@none", "8万", "@twice_or_more")
    assert unsure.verdict == twice.verdict == "legal_risk"
    assert unsure.text != twice.text
    assert _shown_in(unsure, co.UNSURE_DEMANDS) and not _shown_in(twice, co.UNSURE_DEMANDS)
    said_twice = _block("legal_risk", "You said another demand reached you")
    assert shown(said_twice, lang) in twice.text and shown(said_twice, lang) not in unsure.text
    # the rule (received, 30 days apart, 3 months from the second demand) is explained to both
    for chat in (unsure, twice):
        assert _shown_in(chat, co.AT_OR_ABOVE_THRESHOLD)
    assert "30 days apart" in co.AT_OR_ABOVE_THRESHOLD.text
    assert "from the second effective demand" in co.AT_OR_ABOVE_THRESHOLD.text


@pytest.mark.parametrize(("typed", "lang"), [("记不清", "zh"), ("记不清了", "zh"),
                                             ("覚えていない", "ja"), ("何回か覚えてない", "ja")])
def test_not_remembering_the_demands_can_be_typed(typed, lang):
    chat = start(lang)
    chat.run("@gt3m", "@none", "6万", typed)
    assert chat.session.answers.get("collections") == "unsure"


def test_the_demand_counts_are_still_read():
    assert co.read_demands("3次") == either("once", "twice_or_more")  # spacing asked
    assert co.read_demands("一次") == "once"
    assert co.read_demands("一次都没有") == "none"


def test_demands_only_in_last_week_are_one_window():
    # within one week and none before: never 30 days apart, so they count as one
    assert co.read_demands("先週だけで電話が4回") == "once"
    assert co.read_demands("只有上周来了三次") == "once"
    assert co.read_demands("催促は今週に入ってからだけ、毎日電話でてる") == "once"


@pytest.mark.parametrize(
    "typed", ["上周来了三次", "先週3回", "这几天天天打", "今週は毎日電話が来る"]
)
def test_demands_lately_ask_whether_an_earlier_one_came(typed):
    # all within 30 days, but "since the due date" may hold an earlier one (expert review):
    # the spacing is asked, not "once"
    assert co.read_demands(typed) == either("once", "twice_or_more")


@pytest.mark.parametrize(("typed", "expected"), [
    ("天天打 打了一个多星期就不打了", "once"),
    ("每天打，打了一个月了", either("once", "twice_or_more")),  # day 1 to day 30: 29 days
    ("毎日かかってきて1ヶ月くらい", either("once", "twice_or_more")),
    ("短信天天发，已经发了两个多月了", "twice_or_more"),
    ("毎日かかってきて1ヶ月以上", "twice_or_more"),
])
def test_daily_demands_for_about_a_month_are_asked(typed, expected):
    assert co.read_demands(typed) == expected
    # another time named too: last week is not the only window
    assert co.read_demands("先月に1回、先週にも1回") == "twice_or_more"


def test_legal_risk_headline_names_the_amount_reached_and_what_else_decides():
    # the time condition runs from the second effective demand, which the bot does not
    # know: the headline says the amount is reached and what else decides (expert re-read)
    headline = FLOW.verdict("legal_risk").headline
    assert "reaches the amount" in headline and "effective demands" in headline
    assert "intent" in headline


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "lines",
    [("@lt1m", "@partial", "3万"), ("@gt3m", "@none", "50000", "@none"),
     ("@gt3m", "@partial", "8万", "@twice_or_more")],
)
def test_court_judgment_and_where_to_turn_are_told(lang, lines):
    chat = start(lang)
    chat.run(*lines)
    for block in (co.COURT_CASE, co.AFTER_JUDGMENT, co.AGENTS):
        assert _shown_in(chat, block), block.text
    assert _shown_in(chat, co.COLLECTORS) or _shown_in(chat, co.COLLECTORS_OR_NO_TALKS)
    assert "unless you ask" in co.COURT_CASE.text and "律师函" in co.COURT_CASE.text
    assert "失信被执行人" in co.AFTER_JUDGMENT.text
    assert co.AFTER_JUDGMENT.source.startswith("刑法第313条")
    assert "12378" in co.COLLECTORS.text and "12378" in co.COLLECTORS_OR_NO_TALKS.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_paid_agent_warning_on_the_instalment_path(lang):
    chat = start(lang)
    chat.run("@m1to3", "@none", "2万")
    assert chat.verdict == "instalment_agreement"
    assert _shown_in(chat, co.AGENTS)
    assert "stop paying" in co.AGENTS.text and "own card account" in co.AGENTS.text


def test_credit_report_says_where_to_get_it_and_where_to_object():
    text = co.CREDIT_REPORT_RIGHTS.text
    assert all(word in text for word in ("征信中心", "云闪付", "12363"))


def test_minimum_payment_loses_the_interest_free_period():
    block = _block("before_overdue", "Check your statement for the minimum payment")
    assert "interest-free period" in block.text and "posting date" in block.text
    assert block.source == "中国人民银行 银发〔2016〕111号"


def test_law_titles_are_the_real_ones():
    sources = {b.source for v in FLOW.verdicts for m in v.messages for b in m}
    assert "《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》（2021年）第2条" in sources
    assert any(s.startswith("《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》")
               for s in sources)
    assert "Supreme People's Court rules" not in co.COURT_CASE.text
    assert "PBOC notice" not in co.NO_INTEREST_ON_FEES.text


def test_new_blocks_name_their_source():
    for block in (*co.BANDS, co.AT_OR_ABOVE_THRESHOLD, co.UNSURE_DEMANDS, co.PRINCIPAL_FIRST,
                  co.REPAY_LARGE, co.REPAY_HIGHER, co.FEWER_THAN_TWO_DEMANDS, co.COURT_CASE,
                  co.AFTER_JUDGMENT, co.COLLECTORS, co.BANK_WONT_TALK, co.AGENTS,
                  co.CREDIT_REPORT_RIGHTS):
        assert block.source, block.text


def test_avoiding_the_bank_on_purpose_is_said_to_count_expert_review():
    """Art. 7 (2): a demand counts though its receipt cannot be confirmed when the cardholder
    evades it on purpose; "not answering means it does not count" is the agents' myth."""
    assert "on purpose" in co.AT_OR_ABOVE_THRESHOLD.text
    assert "on purpose" in co.FEWER_THAN_TWO_DEMANDS.text
    assert "on purpose" in co.UNSURE_DEMANDS.text
    assert "on purpose" in co.NOT_ANSWERED


def test_the_legal_risk_headline_does_not_claim_the_time_condition_is_met():
    headline = FLOW.verdict("legal_risk").headline
    assert "3 months unpaid after two effective demands" in headline
    assert "it also takes both" in headline  # the two conditions hold together, not either
    assert "how long it has been overdue reach" not in headline


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_band_is_named_only_as_what_it_would_be_if_found_malicious(lang):
    """Expert re-read: the principal is in a band of 恶意透支 only if it is found to be one."""
    for band in co.BANDS[1:]:
        assert band.text.startswith("If it were found to be malicious overdraft")
    chat = start(lang)
    chat.run("@lt1m", "@partial", "6万")
    assert _shown_in(chat, co.BAND_LARGE, principal=60_000, threshold=50_000)
    # and what counts as principal is said (no interest or fees)
    assert "without interest" in co.PRINCIPAL_FIRST.text and "立案" in co.PRINCIPAL_FIRST.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recently_overdue_above_the_threshold_hears_the_time_condition_cannot_be_met_yet(lang):
    for status in ("@lt1m", "@m1to3"):
        chat = start(lang)
        chat.run(status, "@partial", "6万")
        assert chat.verdict == "instalment_agreement"
        assert _shown_in(chat, co.NOT_YET_IN_TIME)
    chat = start(lang)
    chat.run("@gt3m", "@partial", "6万", "@once")
    assert chat.verdict == "instalment_agreement"
    assert not _shown_in(chat, co.NOT_YET_IN_TIME)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_legal_risk_says_how_to_check_the_second_demand_and_to_keep_assets_where_they_are(lang):
    chat = start(lang)
    chat.run("@gt3m", "@none", "8万", "@twice_or_more")
    assert chat.verdict == "legal_risk"
    assert _shown_in(chat, co.CHECK_SECOND_DEMAND)
    interpretation = "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第6条"
    assert translate(lang, interpretation)[:4] in chat.text
    assert any("hide assets" in block.text for block in FLOW.verdict("legal_risk").blocks)


def test_paying_in_full_long_overdue_says_repaying_before_a_case_is_opened_counts_nothing():
    chat = start("zh")
    chat.run("@gt3m", "@full")
    assert chat.verdict == "pay_in_full"
    assert "立案前全部还清，就达不到入罪标准" in chat.text
    assert "仅凭还款并不能了结案件" not in chat.text


def test_refusing_a_judgment_is_a_crime_only_where_serious_and_the_report_is_on_every_path():
    assert "circumstances are serious" in co.AFTER_JUDGMENT.text
    for verdict_id in ("instalment_agreement", "legal_risk"):
        blocks = [b for m in FLOW.verdict(verdict_id).messages for b in m]
        assert co.CREDIT_REPORT_RIGHTS in blocks
        assert sum("12378" in b.text for b in blocks if b.when == ()) <= 2
    legal = [b for m in FLOW.verdict("legal_risk").messages for b in m]
    assert co.BANK_WONT_TALK not in legal and co.COLLECTORS_OR_NO_TALKS in legal


@pytest.mark.parametrize("typed", ["么有钱", "木有钱", "有钱早还了"])
def test_no_money_said_colloquially_is_not_paying_in_full(typed):
    """New-user trial (zh): these were read as "can pay all" and led to "repay today"."""
    chat = start("zh")
    chat.run("@gt3m", typed)
    assert chat.session.answers["ability"] == "none"


def test_a_hedge_on_the_amount_does_not_make_the_length_approximate():
    chat = start("zh")
    chat.run("逾期三个多月了，本金大概6万，现在一分钱都拿不出来")
    assert chat.session.answers == {"status": "gt3m", "ability": "none", "principal": 60_000}


@pytest.mark.parametrize(("typed", "expected"), [
    # a call once, then another demand: two or more (so the spacing is asked), not "once"
    ("电话打过一次，后来又寄了信到老家", SPACING),
    ("電話が2回、手紙が1回", SPACING),
    ("收到过一封律师函，就那一次", "once"),  # the same count said twice is one
])
def test_clauses_that_count_differently_give_the_most(typed, expected):
    chat = start("zh")
    chat.run("@gt3m", "@partial", "8万", typed)
    if expected == SPACING:
        assert "collections" not in chat.session.answers
        assert [o.id for o in chat.last.options] == SETTLE_BUTTONS
    else:
        assert chat.session.answers["collections"] == expected


def test_paying_in_full_only_next_month_is_not_taken_as_paying_in_full():
    chat = start("zh")
    chat.run("@m1to3", "下个月发工资就能全还")
    assert "ability" not in chat.session.answers


@pytest.mark.parametrize(("lang", "typed", "expected"), [
    ("zh", "还差一周就满三个月了", "m1to3"),  # short of 3 months, not one week
])
def test_dev2_lengths_and_counts(lang, typed, expected):
    chat = start(lang)
    chat.run(typed)
    assert chat.session.answers["status"] == expected


@pytest.mark.parametrize(("lang", "typed"), [
    ("zh", "好像有过两三次吧，什么时候的不记得了"),
    ("ja", "WeChatで連絡きた、2回くらい？間は覚えてない"),
])
def test_a_count_with_its_dates_forgotten_asks_which(lang, typed):
    chat = start(lang)
    chat.run("@gt3m", "@partial", "8万", typed)
    assert "collections" not in chat.session.answers
    assert {o.id for o in chat.last.options} == {"twice_or_more", "unsure"}


def test_a_figure_said_to_include_interest_is_not_the_principal():
    chat = start("zh")
    chat.run("@gt3m", "@partial", "欠了差不多7万，包括利息的")
    assert "principal" not in chat.session.answers
    chat.run("本金53000，加上利息快6万了")  # the principal named beside the total: taken
    assert chat.session.answers["principal"] == 53_000


@pytest.mark.parametrize(("typed", "answer"), [
    ("快仨月了", {"status": "m1to3"}), ("俩月了", {"status": "m1to3"}),
])
def test_colloquial_numbers_in_lengths(typed, answer):
    chat = start("zh")
    chat.run(typed)
    assert chat.session.answers == answer


def test_a_chinese_bank_named_in_japanese_is_not_a_japanese_card():
    """"工商銀行のカード" matched the Japanese-card non-answer and vetoed the other facts."""
    chat = Chat("ja")
    chat.run("工商銀行のカード、3ヶ月以上延滞、本金8万元くらい")
    assert chat.session.answers.get("status") == "gt3m"
    chat = Chat("ja")
    chat.run("楽天カードの支払いが遅れてます")
    assert "status" not in chat.session.answers  # a Japanese card stays out of scope


@pytest.mark.parametrize(
    "typed",
    [
        "ボーナスが出たら全額払えます",
        "利息を免除してもらえるなら本金は全部払える",
        "如果能免息的话可以全部还清",
        "要是银行同意减免利息，本金我能一次还清",
        "等发了年终奖就能全还",
    ],
)
def test_all_of_it_only_if_something_happens_is_asked_as_of_now(typed):
    chat = start("ja")
    chat.run("@m1to3")
    replies = chat.send(typed)
    assert "ability" not in chat.session.answers
    assert {c.id for c in replies[-1].options} == {"full", "partial", "none"}
    assert chat.session.early == {}  # 一次还清 is in one go, not one demand


@pytest.mark.parametrize("typed", ["全部払えます", "能一次还清", "全部は無理だけど少しなら"])
def test_all_or_part_without_a_condition_is_read(typed):
    chat = start("zh")
    chat.run("@m1to3")
    chat.send(typed)
    assert chat.session.answers["ability"] in ("full", "partial")
    assert chat.session.early == {}


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("夏からずっと", "gt3m"),
        ("去年年底开始就没还", "gt3m"),
        ("暑假之后就没还了", "gt3m"),
        ("一回も払ってない、去年の年末から", "gt3m"),
    ],
)
def test_a_season_or_the_years_end_is_a_date(typed, option):
    chat = start("ja")
    chat.send(typed)
    assert chat.session.answers["status"] == option
    assert chat.session.early == {}  # 一回も払ってない is never paid, not one demand


def test_a_season_either_side_of_a_boundary_is_asked():
    chat = start("ja")
    replies = chat.send("秋から")  # September to November, on 4 December
    assert "status" not in chat.session.answers
    assert {c.id for c in replies[-1].options} == {"lt1m", "m1to3", "gt3m"}


@pytest.mark.parametrize("typed", ["全額返せなくはないです", "全部払えなくもない"])
def test_a_double_negation_is_not_a_negation(typed):
    chat = start("ja")
    chat.run("@m1to3")
    chat.send(typed)
    assert chat.session.answers.get("ability") != "none"


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("催收の電話9月と11月に来ました", "twice_or_more"),  # a month between them
        ("毎月電話きて毎回出てる", "twice_or_more"),
        ("2回、でも同じ週だった", "once"),
        ("催促は今週に入ってからだけ、毎日電話でてる", "once"),
    ],
)
def test_demands_dated_rather_than_counted(typed, option):
    chat = start("ja")
    chat.run("@gt3m", "@none", "6万")
    chat.send(typed)
    assert chat.session.answers["collections"] == option


def test_demands_in_two_months_side_by_side_are_asked():
    chat = start("ja")
    chat.run("@gt3m", "@none", "6万")
    replies = chat.send("10月に手紙、先月SMS")  # 31 October and 1 November are one day apart
    assert "collections" not in chat.session.answers
    assert [c.id for c in replies[-1].options] == SETTLE_BUTTONS


@pytest.mark.parametrize(("typed", "option"), [("先月の20日が期日だったけど払えてない", "lt1m"),
                                               ("上个月20号该还的没还", "lt1m")])
def test_a_day_of_last_month_is_a_date(typed, option):
    chat = start("zh")
    chat.send(typed)
    assert chat.session.answers["status"] == option


def test_all_of_it_if_something_happens_but_nothing_now_is_nothing():
    chat = start("ja")
    chat.run("@m1to3")
    chat.send("ボーナス出たら全部返せるけど今はムリ")
    assert chat.session.answers["ability"] == "none"


@pytest.mark.parametrize("typed", ["請求額は15万って書いてあるけど元本かはわからん", "账单金额6万"])
def test_the_amount_billed_is_not_the_principal(typed):
    chat = start("zh")
    chat.run("@gt3m", "@partial")
    chat.send(typed)
    assert "principal" not in chat.session.answers


@pytest.mark.parametrize(
    ("typed", "facts"),
    [
        # "払えてない" (overdue, how long?) casts no doubt on the date that says how long
        ("中国のカード、先月の20日が期日だったけど払えてない", {"status": "lt1m"}),
        # a card from China named in Japanese is no Japanese card
        ("中国のクレジットカード延滞してて、全額返せるけどどうすればいい？", {"ability": "full"}),
        ("信用卡逾期了一个多月、一部なら返せます", {"status": "m1to3", "ability": "partial"}),
    ],
)
def test_a_first_message_about_a_card_from_china_in_japanese(typed, facts):
    chat = Chat("ja")
    chat.send(typed)
    assert chat.session.flow == "card_overdue"
    assert {**chat.session.early, **chat.session.answers} == facts


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("9月一次 11月一次", "twice_or_more"),
        ("天天打 打了一个多星期就不打了", "once"),
        ("每个月都会打 我都接了 已经3个月了", "twice_or_more"),
        ("收到过律师函 就一封", "once"),  # a lawyer's letter is one demand, not two
    ],
)
def test_demands_counted_and_dated(typed, option):
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万")
    chat.send(typed)
    assert chat.session.answers["collections"] == option


@pytest.mark.parametrize("typed", ["10月一次 11月一次 都接了", "10月和11月各一次"])
def test_demands_counted_in_two_months_side_by_side_are_asked(typed):
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万")
    replies = chat.send(typed)
    assert "collections" not in chat.session.answers
    assert [c.id for c in replies[-1].options] == SETTLE_BUTTONS


def test_all_of_it_after_next_payday_is_asked_as_of_now():
    chat = start("zh")
    chat.run("@m1to3")
    replies = chat.send("下个月发工资就能全还")
    assert "ability" not in chat.session.answers
    assert {c.id for c in replies[-1].options} == {"full", "partial", "none"}


def test_how_long_the_calls_lasted_does_not_change_how_long_it_is_overdue():
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万")
    chat.send("天天打 打了一个多星期就不打了")
    assert chat.session.answers["status"] == "gt3m"


@pytest.mark.parametrize("typed", ["工行信用卡昨天没还上", "一昨日が引き落とし日だった"])
def test_yesterday_is_a_date(typed):
    chat = start("zh")
    chat.send(typed)
    assert chat.session.answers["status"] == "lt1m"


@pytest.mark.parametrize(("lang", "typed", "option"), [
    ("zh", "隔了", "twice_or_more"), ("zh", "没隔", "once"),
    ("ja", "届きました", "twice_or_more"), ("ja", "来てない", "once"),
])
def test_the_spacing_question_takes_yes_and_no_as_people_say_them(lang, typed, option):
    # "第一次催收之后隔满30天，您又收到过催收吗？" "隔了" / "…また届きましたか？" "届きました"
    chat = start(lang)
    chat.run("@gt3m", "@none", "6万", "3回" if lang == "ja" else "三次", typed)
    assert chat.session.answers["collections"] == option


def test_dont_remember_is_a_button_of_the_spacing_question():
    chat = start("zh")
    chat.run("@gt3m", "@none", "6万", "好几次", "@unsure")
    assert chat.session.answers["collections"] == "unsure"


@pytest.mark.parametrize(("lang", "typed", "option"), [
    ("zh", "收到过", "twice_or_more"),  # "满30天以后，您还收到过催收吗？" "收到过"
    ("zh", "没再收到", "once"),
    ("zh", "不记得了", "unsure"), ("zh", "忘了", "unsure"), ("zh", "不记得", "unsure"),
    ("zh", "不清楚", "unsure"), ("zh", "不知道", "unsure"), ("zh", "没了", "once"),
    ("ja", "覚えてない", "unsure"),  # not "ない" (no): the whole answer is compared
])
def test_the_spacing_question_reads_what_people_answer_to_it(lang, typed, option):
    chat = start(lang)
    chat.run("@gt3m", "@none", "6万", "三次" if lang == "zh" else "3回", typed)
    assert chat.session.answers.get("collections") == option


def test_the_spacing_question_has_buttons_that_answer_it():
    chat = start("ja")
    chat.run("@gt3m", "@none", "6万", "3回")
    labels = [o.label for o in chat.last.options]
    assert labels == [translate("ja", SETTLE.yes_label), translate("ja", SETTLE.no_label),
                      translate("ja", co.COLLECTIONS.option("unsure").label)]
    chat.send("@twice_or_more")
    assert chat.session.answers["collections"] == "twice_or_more"


def test_a_figure_that_can_be_found_is_not_all_of_it():
    # "about 80,000 yen could be found": the principal is not known yet, so not "all"
    chat = Chat("ja")
    chat.run("@card_overdue", "@m1to3", "円で8万ぐらいなら用意できる")
    assert chat.session.answers.get("ability") != "full"


def test_a_length_and_a_little_paid_in_a_first_message_are_both_facts():
    chat = Chat("ja")
    chat.run("建設銀行のクレジットカードが3ヶ月延滞、少しずつなら払えます")
    facts = {**chat.session.early, **chat.session.answers}
    assert facts.get("status") == "m1to3" and facts.get("ability") == "partial", facts


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("今月の支払日が明日で、たぶん払えない", "not_yet"),  # the due date still ahead
        ("明日が引き落とし日だけどお金ない", "not_yet"),
        ("返済日まであと3日", "not_yet"),  # days to go, not days overdue
        ("あと5日で引き落とし", "not_yet"),
        ("2ヶ月延滞、支払日が明日", "m1to3"),  # a length of overdue said as well wins
    ],
)
def test_a_japanese_due_date_still_ahead_is_not_overdue(typed, option):
    chat = start("ja")
    chat.send(typed)
    assert chat.session.answers.get("status") == option


@pytest.mark.parametrize(
    ("typed", "option"),
    [("月に500元が限界", "partial"), ("月1000元が限界かな", "partial"), ("もう限界", None)],
)
def test_a_monthly_limit_is_a_part(typed, option):
    chat = start("ja")
    chat.run("@gt3m")
    chat.send(typed)
    assert chat.session.answers.get("ability") == option


def test_a_clause_that_does_not_know_a_later_amount_does_not_doubt_the_length():
    # 元本いくらか分からない is about the principal: the length beside it still stands
    chat = Chat("ja")
    chat.send("平安銀行のカード、元本いくらか分からない、もう1年滞納")
    assert chat.session.flow == "card_overdue"
    assert chat.session.answers.get("status") == "gt3m"

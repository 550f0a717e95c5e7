"""Issue 16, in the engine: /start deep links, /privacy, and edited messages read as corrections.

Transport-free: the Telegram side of the same is in tests/test_telegram_profile.py.
"""

from __future__ import annotations

import math

import pytest

from bot.app import build_engine, retention_days
from bot.core import commands, texts
from bot.core.events import Event
from bot.core.i18n import LANGUAGES, translate
from bot.core.session import Session
from bot.storage.base import DEFAULT_TTL, UPDATE_TTL
from flows import FLOWS
from tests.support import Chat

ENGINE = build_engine(warm_up=False)


def flow_of(flow_id: str):
    return next(flow for flow in FLOWS if flow.id == flow_id)


def first_prompt(flow_id: str, lang: str) -> str:
    flow = flow_of(flow_id)
    question = flow.question(flow.initial)
    assert question is not None
    return translate(lang, question.prompt)


# -- deep links --------------------------------------------------------------------------


@pytest.mark.parametrize("payload, flow_id, lang", [
    ("car_sale", "car_sale", None),
    ("card_overdue", "card_overdue", None),
    ("car_sale_zh", "car_sale", "zh"),
    ("card_overdue_ja", "card_overdue", "ja"),
    ("card_overdue-zh", "card_overdue", "zh"),
    ("CAR_SALE_ZH", "car_sale", "zh"),
])
@pytest.mark.parametrize("client", ["ja", "zh-hans"])
def test_a_deep_link_opens_its_consultation_in_its_language(payload, flow_id, lang, client):
    session = ENGINE.new_session("u", client)
    replies = ENGINE.handle(session, Event.command("start", payload)).replies
    speaks = lang or session.lang
    assert session.lang == speaks and (session.flow, session.state) == (
        flow_id, flow_of(flow_id).initial)
    assert replies[0].text == translate(speaks, texts.WELCOME)
    assert replies[-1].text == first_prompt(flow_id, speaks)
    assert replies[-1].question == f"{flow_id}.{flow_of(flow_id).initial}"
    if flow_of(flow_id).intro:
        assert replies[1].text == translate(speaks, flow_of(flow_id).intro)


def test_a_deep_link_replaces_a_consultation_in_progress_like_start():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard")
    chat.send("/start card_overdue_zh")
    session = chat.session
    assert (session.lang, session.flow, session.state, session.answers) == (
        "zh", "card_overdue", "status", {})


@pytest.mark.parametrize("payload", [
    "", "hello", "car", "car_sale_en", "car_sale_", "zh_car_sale", "card_overdue_zh_ja",
    "<b>x</b>", "car_sale zh", "x" * 64, "menu", "lang",
])
def test_an_unknown_payload_is_a_plain_start(payload):
    plain = Session("u", "ja")
    linked = Session("u", "ja")
    expected = ENGINE.handle(plain, Event.command("start")).replies
    replies = ENGINE.handle(linked, Event.command("start", payload)).replies
    assert [(r.text, r.options) for r in replies] == [(r.text, r.options) for r in expected]
    assert linked == plain
    assert replies[-1].question == "menu"


def test_a_language_alone_is_a_plain_start_in_that_language():
    session = Session("u", "ja")
    replies = ENGINE.handle(session, Event.command("start", "zh")).replies
    assert session.lang == "zh" and replies[0].text == translate("zh", texts.WELCOME)
    assert replies[-1].question == "menu"


def test_without_a_language_the_link_waits_for_the_picker_then_opens():
    session = ENGINE.new_session("u", "en")  # a client language the bot does not speak
    replies = ENGINE.handle(session, Event.command("start", "card_overdue")).replies
    assert [r.question for r in replies] == ["lang"]
    replies = ENGINE.handle(session, Event.button("zh", "lang")).replies
    flow = flow_of("card_overdue")
    assert [r.text for r in replies] == [
        translate("zh", texts.WELCOME), translate("zh", flow.intro),
        first_prompt("card_overdue", "zh")]
    assert (session.lang, session.flow, session.state) == ("zh", "card_overdue", "status")
    # a plain /start still asks for the language first, as before
    session = ENGINE.new_session("u", "en")
    assert [r.question for r in ENGINE.handle(session, Event.command("start")).replies] == [
        "lang"]


# -- /privacy ----------------------------------------------------------------------------


def test_privacy_says_the_configured_retention(monkeypatch):
    assert ENGINE.retention_days == retention_days() == math.ceil(DEFAULT_TTL / 86_400) == 90
    monkeypatch.setenv("ZANSAI_SESSION_TTL", str(30 * 86_400 + 1))
    assert retention_days() == 31  # rounded up: never promises deletion later than it happens
    monkeypatch.setenv("ZANSAI_SESSION_TTL", "3600")
    assert retention_days() == 1
    assert UPDATE_TTL == 86_400  # "the message numbers are kept for one day"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_answers_then_asks_the_open_question_again(lang):
    chat = Chat(lang)
    chat.run("@car_sale", "@lender")
    replies = chat.send("/privacy")
    assert replies[0].text == translate(lang, texts.PRIVACY).format(days=90)
    assert "90" in replies[0].text and "/forget" in replies[0].text
    assert replies[-1].question == "car_sale.loan_kind"
    assert chat.session.answers == {"owner": "lender"}  # nothing changed


def test_privacy_before_a_language_is_chosen_is_said_in_both():
    session = Session("u")
    replies = ENGINE.handle(session, Event.command("privacy")).replies
    for lang in LANGUAGES:
        assert translate(lang, texts.PRIVACY).format(days=90) in replies[0].text
    assert replies[-1].question == "lang"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_links_to_privacy(lang):
    line = f"/privacy – {translate(lang, texts.COMMAND_PRIVACY)}"
    assert line in commands.help_text(lang).splitlines()
    assert [c.name for c in commands.COMMANDS][-2:] == ["privacy", "forget"]


# -- edited messages ---------------------------------------------------------------------


def car_sale_at_replacing(lang: str = "ja") -> Chat:
    """At `replacing`, the balance typed as message 10 and the appraisal as message 12."""
    chat = Chat(lang)
    chat.run("@car_sale", "@lender", "@standard")
    chat.turn(Event.text("150万", 10))
    chat.turn(Event.text("120万", 12))
    assert chat.session.state == "replacing" and chat.session.typed == [
        12, "car_sale.appraisal"]
    return chat


def test_an_edit_of_the_last_typed_answer_corrects_it_and_walks_the_flow_again():
    chat = car_sale_at_replacing()
    replies = chat.turn(Event.edited("160万", 12))
    session = chat.session
    assert session.answers["appraisal"] == 1_600_000 and session.state == "buyer"
    assert replies[0].text == translate("ja", texts.CORRECTED).format(
        question=translate("ja", flow_of("car_sale").question("appraisal").title),
        answer="160万円")
    assert replies[-1].question == "car_sale.buyer"  # a surplus: no question on replacing
    assert session.typed == [12, "car_sale.appraisal"]  # may be edited again
    chat.turn(Event.edited("100万", 12))
    assert chat.session.answers["appraisal"] == 1_000_000
    assert chat.session.state == "replacing"


def test_an_edit_after_the_verdict_redoes_the_verdict():
    chat = car_sale_at_replacing("zh")
    chat.run("@no", "@business", "@regular")
    assert chat.session.state == "shortfall_sell_only"
    replies = chat.turn(Event.edited("200万", 12))
    assert chat.session.state == "sell_surplus"
    assert any(r.verdict == "sell_surplus" and r.headline for r in replies)


def test_an_edit_that_says_the_same_or_nothing_readable_keeps_the_answer():
    chat = car_sale_at_replacing()
    before = chat.session
    [same] = chat.turn(Event.edited("120万円です", 12))
    assert same.text == translate("ja", texts.ALREADY_HAVE).format(
        question=translate("ja", flow_of("car_sale").question("appraisal").title),
        answer="120万円")
    [unread] = chat.turn(Event.edited("<b>???</b>", 12))
    assert unread.text == translate("ja", texts.EDIT_UNREAD).format(
        question=translate("ja", flow_of("car_sale").question("appraisal").title),
        answer="120万円")
    after = chat.session
    assert (after.state, after.answers) == (before.state, before.answers)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_edit_of_an_older_message_gets_one_line_and_changes_nothing(lang):
    chat = car_sale_at_replacing(lang)
    before = chat.session
    for event in (Event.edited("100万", 10), Event.edited("100万", 99), Event.edited("", 11)):
        [line] = chat.turn(event)
        assert line.text == translate(lang, texts.EDIT_NOT_READ) and "\n" not in line.text
        assert not line.options
    after = chat.session
    assert (after.state, after.answers, after.typed) == (
        before.state, before.answers, before.typed)


def test_an_edit_of_an_answer_undone_since_is_not_read():
    chat = car_sale_at_replacing()
    chat.send("/back")
    chat.send("/back")  # the appraisal is undone: the balance is asked again
    assert chat.session.state == "balance"
    [line] = chat.turn(Event.edited("100万", 12))
    assert line.text == translate("ja", texts.EDIT_NOT_READ)
    chat.send("/restart")
    assert chat.session.typed is None


def test_an_edit_while_its_question_is_still_open_is_the_answer_typed_anew():
    chat = Chat("zh")
    chat.run("@car_sale", "@dealer")
    replies = chat.turn(Event.text("车贷", 5))  # a bank's or a loan company's? asked again
    assert chat.session.state == "loan_kind" and replies[-1].question == "car_sale.loan_kind"
    assert len(replies[-1].options) == 2
    chat.turn(Event.edited("一般的汽车贷款", 5))
    session = chat.session
    assert session.answers["loan_kind"] == "standard" and session.state == "balance"
    assert session.typed == [5, "car_sale.loan_kind"]


def test_an_edit_that_corrects_an_earlier_answer_instead_is_not_taken():
    chat = car_sale_at_replacing()
    # read at the appraisal, this changes the owner: not a new appraisal
    [line] = chat.turn(Event.edited("やっぱり所有者は自分でした", 12))
    assert line.text == translate("ja", texts.EDIT_UNREAD).format(
        question=translate("ja", flow_of("car_sale").question("appraisal").title),
        answer="120万円")
    assert chat.session.answers["owner"] == "lender"


def test_typed_messages_without_an_id_and_buttons_leave_no_reference():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万")  # the console: no message ids
    assert chat.session.typed is None
    assert "\"t\"" not in chat.session.dumps()
    chat.turn(Event.text("120万", 7))
    assert '"t":[7,"car_sale.appraisal"]' in chat.session.dumps()
    assert Session.loads("u", chat.session.dumps()).typed == [7, "car_sale.appraisal"]


def test_every_link_the_readme_shows_opens_what_it_says():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    payloads = set(re.findall(r"t\.me/[<>\w ]+\?start=([A-Za-z0-9_-]+)", readme))
    payloads.discard("")
    assert {"car_sale", "car_sale_ja", "card_overdue_zh", "zh"} <= payloads
    for payload in payloads:
        assert ENGINE._deep_link(payload) != (None, None), payload

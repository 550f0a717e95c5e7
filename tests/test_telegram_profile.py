"""Issue 16 on Telegram, against the fake Bot API: the bot's profile per language, command
menus that follow /lang, deep links, /privacy, edited messages, escaping and keyboards.

Uses the harness of tests/test_telegram.py (the real PTB Application polling the fake).
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.adapters.telegram_bot import menu
from bot.adapters.telegram_bot.adapter import ALLOWED_UPDATES
from bot.adapters.telegram_bot.logs import protected_logs
from bot.adapters.telegram_bot.render import HALF_ROW, _width, render, rows
from bot.core import texts
from bot.core.events import Choice, Reply
from bot.core.i18n import LANGUAGES, translate
from bot.tools.fake_bot_api import TOKEN, User
from flows import FLOWS
from tests.test_telegram import (
    ENGINE,
    JA,
    ZH,
    Running,
    assert_all_answered,
    buttons,
    run,
    sent_texts,
)

EN = User(1003, "en", "Sam")  # a client language the bot does not speak
DAYS = ENGINE.retention_days


def commands(lang: str) -> list[dict]:
    return [{"command": name, "description": translate(lang, msgid)}
            for name, msgid in menu.COMMANDS]


def prompt(flow_id: str, lang: str) -> str:
    flow = next(f for f in FLOWS if f.id == flow_id)
    return translate(lang, flow.question(flow.initial).prompt)


# -- the profile -------------------------------------------------------------------------


def test_start_up_registers_descriptions_and_menus_per_language(fake_bot_api):
    api = fake_bot_api

    async def scenario():
        async with Running(api):
            pass

    run(scenario())
    for lang in LANGUAGES:
        description = translate(lang, texts.BOT_DESCRIPTION).format(days=DAYS)
        assert api.descriptions[lang] == description
        assert api.short_descriptions[lang] == translate(lang, texts.BOT_SHORT_DESCRIPTION)
        assert api.commands[lang] == commands(lang)
        # what it does, that it is general information, and privacy in one line
        assert "Zansai" in description and "/forget" in description and str(DAYS) in description
    # every other client language: both languages at once, within Telegram's limits
    assert api.descriptions[""] == "\n\n".join(api.descriptions[lang] for lang in LANGUAGES)
    assert api.short_descriptions[""] == "\n".join(
        api.short_descriptions[lang] for lang in LANGUAGES)
    assert len(api.descriptions[""]) <= menu.MAX_DESCRIPTION
    assert len(api.short_descriptions[""]) <= menu.MAX_SHORT_DESCRIPTION
    assert api.commands[""] == commands("ja")
    assert [c["command"] for c in api.commands["zh"]][-2:] == ["privacy", "forget"]

    # a restart sets nothing that is set already
    mark = len(api.calls)
    run(scenario())
    again = {c.method for c in api.calls[mark:]}
    assert "setMyDescription" not in again and "setMyShortDescription" not in again
    assert {"getMyDescription", "getMyShortDescription"} <= again


def test_translated_descriptions_fit_alone_and_together():
    for days in (1, 90, 365):
        for code, description, short in menu.descriptions(days):
            assert len(description) <= menu.MAX_DESCRIPTION, code
            assert len(short) <= menu.MAX_SHORT_DESCRIPTION, code


@pytest.mark.parametrize("method", [
    "setMyDescription", "setMyShortDescription", "setMyCommands", "getMyDescription",
])
def test_a_profile_telegram_refuses_is_logged_and_the_bot_runs(fake_bot_api, caplog, method):
    api = fake_bot_api
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        api.fail_next(method, "Too Many Requests: retry after 5", 429)

    async def scenario():
        with protected_logs(TOKEN):
            async with Running(api) as bot:
                return await bot.send(JA, "/start car_sale")

    calls = run(scenario())
    assert sent_texts(calls)[-1].endswith(prompt("car_sale", "ja"))  # the bot works
    warnings = [r.getMessage() for r in caplog.records if r.name == menu.__name__]
    assert warnings and all(w.startswith("could not ") for w in warnings)
    assert all("Too Many Requests" in w for w in warnings)
    for leak in (TOKEN, TOKEN.partition(":")[2], translate("ja", texts.BOT_SHORT_DESCRIPTION),
                 translate("ja", texts.COMMAND_PRIVACY)):
        assert leak not in caplog.text


# -- the menu follows the user's language ------------------------------------------------


def test_lang_gives_the_chat_its_own_menu_and_going_back_removes_it(fake_bot_api):
    api = fake_bot_api

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start")
            assert api.menu_for(JA.id, JA.language_code) == commands("ja")
            assert (JA.id, "") not in api.chat_commands  # the client's language: no own menu
            await bot.send(JA, "/lang zh")
            assert api.chat_commands[(JA.id, "")] == commands("zh")
            assert api.menu_for(JA.id, JA.language_code) == commands("zh")
            await bot.send(JA, "/lang")
            await bot.press(JA, "ja")  # the picker: back to the client's language
            assert (JA.id, "") not in api.chat_commands
            assert api.menu_for(JA.id, JA.language_code) == commands("ja")
            mark = len(api.calls)
            await bot.send(JA, "/lang ja")  # no change: no call
            assert not api.calls_to("setMyCommands", since=mark)
            assert not api.calls_to("deleteMyCommands", since=mark)
            await bot.send(JA, "中文")  # a language typed at the menu switches too
            assert api.menu_for(JA.id, "ja") == commands("zh")
            await bot.send(JA, "/forget")  # and /forget takes the chat's menu away
            assert api.menu_for(JA.id, "ja") == commands("ja")
            # a client in a language the bot does not speak sees the default (Japanese) menu
            await bot.send(EN, "/start")
            await bot.press(EN, "zh")
            assert api.menu_for(EN.id, EN.language_code) == commands("zh")

    run(scenario())
    assert_all_answered(api)


def test_a_failed_chat_menu_changes_nothing_else(fake_bot_api, caplog):
    api = fake_bot_api
    caplog.set_level(logging.WARNING)

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start")
            api.fail_next("setMyCommands", "Bad Request: chat not found")
            calls = await bot.send(JA, "/lang zh")
            return bot.session(JA), calls

    session, calls = run(scenario())
    assert session.lang == "zh"
    assert sent_texts(calls)[0].startswith(translate("zh", texts.LANGUAGE_SET))
    assert [c.method for c in calls].count("sendMessage") == 1  # no apology: the turn went fine
    assert any("could not set the chat's command menu" in r.getMessage() for r in caplog.records)


# -- deep links --------------------------------------------------------------------------


@pytest.mark.parametrize("user, payload, flow_id, lang", [
    (JA, "car_sale", "car_sale", "ja"),
    (ZH, "card_overdue", "card_overdue", "zh"),
    (JA, "car_sale_zh", "car_sale", "zh"),
    (ZH, "card_overdue_ja", "card_overdue", "ja"),
    (EN, "card_overdue_zh", "card_overdue", "zh"),
])
def test_a_deep_link_opens_the_consultation_over_telegram(fake_bot_api, user, payload,
                                                          flow_id, lang):
    api = fake_bot_api

    async def scenario():
        async with Running(api) as bot:
            calls = await bot.send(user, f"/start {payload}")
            return bot.session(user), calls

    session, calls = run(scenario())
    assert (session.lang, session.flow) == (lang, flow_id)
    [text] = sent_texts(calls)  # one message: the welcome, any intro, the first question
    assert text.startswith(translate(lang, texts.WELCOME) + "\n\n")
    assert text.endswith(prompt(flow_id, lang))
    first = buttons(api.bot_messages(user.id)[-1])[0]["callback_data"]
    assert first.startswith(f"{flow_id}.")
    # a link in another language than the client's gives the chat its own menu
    assert api.menu_for(user.id, user.language_code) == commands(lang)


@pytest.mark.parametrize("payload", ["nothing_here", "car_sale_ko", "<b>&amp;</b>"])
def test_an_unknown_deep_link_is_a_plain_start(fake_bot_api, payload):
    async def scenario():
        async with Running(fake_bot_api) as bot:
            plain = await bot.send(JA, "/start")
            linked = await bot.send(JA, f"/start {payload}")
            return plain, linked

    plain, linked = run(scenario())
    assert sent_texts(linked) == sent_texts(plain)
    assert payload not in "".join(sent_texts(linked))


# -- /privacy ----------------------------------------------------------------------------


@pytest.mark.parametrize("user, lang", [(JA, "ja"), (ZH, "zh")])
def test_privacy_and_help_over_telegram(fake_bot_api, user, lang):
    async def scenario():
        async with Running(fake_bot_api) as bot:
            await bot.send(user, "/start")
            privacy = await bot.send(user, "/privacy")
            help_ = await bot.send(user, "/help")
            return privacy, help_

    privacy, help_ = run(scenario())
    [text] = sent_texts(privacy)
    assert text.startswith(translate(lang, texts.PRIVACY).format(days=DAYS) + "\n\n")
    assert f"/privacy – {translate(lang, texts.COMMAND_PRIVACY)}" in sent_texts(help_)[0]


# -- edited messages ---------------------------------------------------------------------


def test_an_edit_of_the_last_typed_answer_corrects_it_and_others_get_one_line(fake_bot_api):
    api = fake_bot_api
    title = translate("ja", next(f for f in FLOWS if f.id == "car_sale").question(
        "appraisal").title)

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start car_sale")
            await bot.press(JA, "lender")
            await bot.press(JA, "standard")
            await bot.send(JA, "150万")
            balance = api.messages[JA.id][-2]["message_id"]  # the user's, before the reply
            await bot.send(JA, "120万")
            appraisal = api.messages[JA.id][-2]["message_id"]
            assert bot.session(JA).state == "replacing"
            calls = {}
            mark = len(api.calls)
            await bot.settle(api.push_edit(JA, appraisal, "100万"))
            calls["last"] = bot.calls_since(mark)
            after_correction = bot.session(JA)
            mark = len(api.calls)
            await bot.settle(api.push_edit(JA, balance, "90万"))
            calls["older"] = bot.calls_since(mark)
            mark = len(api.calls)
            await bot.settle(api.push_edit(JA, appraisal, "<b>1 < 2 & 3</b>"))
            calls["unread"] = bot.calls_since(mark)
            return after_correction, bot.session(JA), calls

    corrected, final, calls = run(scenario())
    assert corrected.answers["appraisal"] == 1_000_000 and corrected.answers["balance"] == 1_500_000
    assert sent_texts(calls["last"])[0].startswith(translate("ja", texts.CORRECTED).format(
        question=title, answer="100万円"))
    assert sent_texts(calls["older"]) == [translate("ja", texts.EDIT_NOT_READ)]
    assert sent_texts(calls["unread"]) == [translate("ja", texts.EDIT_UNREAD).format(
        question=title, answer="100万円")]
    assert (final.answers, final.state) == (corrected.answers, corrected.state)
    # never silent: every edit was answered with exactly one message
    assert all([c.method for c in got] == ["sendMessage"] for key, got in calls.items()
               if key != "last")


def test_an_edit_of_a_command_is_answered_not_applied(fake_bot_api):
    api = fake_bot_api

    async def scenario():
        async with Running(api) as bot:
            await bot.send(ZH, "/start card_overdue")
            command = api.messages[ZH.id][-2]["message_id"]
            before = bot.session(ZH)
            mark = len(api.calls)
            await bot.settle(api.push_edit(ZH, command, "/forget"))
            return before, bot.session(ZH), bot.calls_since(mark)

    before, after, calls = run(scenario())
    assert after.answers == before.answers and after.state == before.state
    assert sent_texts(calls) == [translate("zh", texts.EDIT_NOT_READ)]


def test_edited_messages_are_asked_for():
    assert "edited_message" in ALLOWED_UPDATES


# -- formatting --------------------------------------------------------------------------


def test_what_the_user_typed_is_escaped_wherever_it_is_said_back(fake_bot_api):
    """Typed text reaches Telegram only escaped: the fake refuses broken HTML with 400."""
    api = fake_bot_api
    hostile = ["<b>x</b>", "a & b < c", "</blockquote>", "<tg-spoiler>", "&amp;lt;"]

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start car_sale")
            for text in hostile:
                await bot.send(JA, text)
            await bot.press(JA, "lender")
            await bot.press(JA, "standard")
            await bot.send(JA, "150万 <i>")
            last = api.messages[JA.id][-2]["message_id"]
            for text in hostile:
                await bot.settle(api.push_edit(JA, last, text))

    run(scenario())
    sends = api.calls_to("sendMessage")
    assert sends and all(c.ok for c in api.calls)
    for call in sends:
        for text in hostile:
            assert text not in call.params["text"]  # sent escaped, if at all


def test_keyboards_fit_a_phone():
    def laid(*labels: str) -> list[list[str]]:
        return [[labels[i] for i in row] for row in rows(labels)]

    assert laid("はい", "いいえ") == [["はい", "いいえ"]]
    assert laid("重新开始", "其他咨询", "保存方案") == [["重新开始", "其他咨询", "保存方案"]]
    assert laid("最初からやり直す", "ほかの相談", "プランを保存") == [
        ["最初からやり直す", "ほかの相談"], ["プランを保存"]]
    assert laid("自分（本人）", "信販会社（ローン会社）", "車を買ったディーラー", "リース会社",
                "わからない") == [["自分（本人）"], ["信販会社（ローン会社）"],
                                 ["車を買ったディーラー"], ["リース会社", "わからない"]]
    assert laid() == []
    # every keyboard the bot can show: long labels alone, at most two per row otherwise,
    # every option once and in order
    for reply in ENGINE.every_prompt():
        [message] = render([Reply("?", reply.options, question=reply.question)])
        keyboard = json.loads(message.markup)["inline_keyboard"]
        ids = [b["callback_data"].split("|")[1] for row in keyboard for b in row]
        assert ids == [c.id for c in reply.options]
        labels = [[b["text"] for b in row] for row in keyboard]
        for row in labels:
            if len(row) > 1 and sum(map(_width, row)) > 24:
                assert len(row) == 2 and all(_width(label) <= HALF_ROW for label in row)
            if any(_width(label) > HALF_ROW for label in row):
                assert len(row) == 1


def test_a_keyboard_row_never_holds_a_long_label_beside_another():
    options = (Choice("a", "x" * 30), Choice("b", "y"), Choice("c", "z"), Choice("d", "w" * 17))
    [message] = render([Reply("?", options, question="q")])
    keyboard = json.loads(message.markup)["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in keyboard] == [
        ["q|a"], ["q|b", "q|c"], ["q|d"]]


def test_edits_through_the_webhook_are_read_and_answered(caplog):
    """The webhook reads edited_message itself (Incoming.from_json): the same behaviour."""
    from bot.storage import LocalAsyncStore, MemoryStore
    from bot.tools.fake_bot_api import FakeBotApi
    from tests.test_faults import MARK, LiveWebhook

    caplog.set_level(logging.DEBUG)
    store = MemoryStore()

    async def scenario():
        with FakeBotApi() as api:
            async with LiveWebhook(api, LocalAsyncStore(store)) as hook:
                async def post(update_id: int) -> list:
                    mark = len(api.calls)
                    assert await hook.post(api.take_update(update_id)) == 200
                    return [c for c in api.calls[mark:] if c.method == "sendMessage"]

                await post(api.push_message(JA, "/start car_sale"))
                start = api.messages[JA.id][-2]["message_id"]
                await post(api.push_message(JA, "自分です"))
                typed = api.messages[JA.id][-2]["message_id"]
                assert store.load(f"telegram:{JA.id}").answers == {"owner": "self"}
                corrected = await post(api.push_edit(JA, typed, "信販会社です"))
                older = await post(api.push_edit(JA, start, f"/start {MARK}"))
                return corrected, older

    corrected, older = run(scenario())
    session = store.load(f"telegram:{JA.id}")
    assert session.answers == {"owner": "lender"} and session.state == "loan_kind"
    owner = next(f for f in FLOWS if f.id == "car_sale").question("owner")
    assert sent_texts(corrected)[0].startswith(translate("ja", texts.CORRECTED).format(
        question=translate("ja", owner.title),
        answer=translate("ja", owner.option("lender").label)))
    assert sent_texts(older) == [translate("ja", texts.EDIT_NOT_READ)]
    assert MARK not in caplog.text and "信販会社です" not in caplog.text
    assert "update=edit question=car_sale.loan_kind outcome=" in caplog.text

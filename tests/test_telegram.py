"""The Telegram adapter end to end: the real PTB Application and HTTP stack (HTTPXRequest)
against the fake Bot API server of bot/tools/fake_bot_api.py, polling on 127.0.0.1.

Texts are compared with what the engine says (`translate`, or a second engine run on a
MemoryStore), never with hard-coded translations.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram_bot.adapter import ALLOWED_UPDATES
from bot.adapters.telegram_bot.callbacks import (
    MAX_CALLBACK_BYTES,
    decode_callback,
    encode_callback,
)
from bot.adapters.telegram_bot.logs import protected_logs
from bot.adapters.telegram_bot.menu import COMMANDS
from bot.adapters.telegram_bot.polling import build_application
from bot.adapters.telegram_bot.render import (
    MAX_MESSAGE,
    formatted,
    html_size,
    render,
    split_text,
)
from bot.adapters.telegram_bot.settings import load_settings
from bot.app import build_engine
from bot.cli import main
from bot.core import texts
from bot.core.engine import Engine
from bot.core.events import Choice, Event, Reply
from bot.core.flow import Block, Flow, Option, Question, Transition, Verdict
from bot.core.i18n import format_number, translate
from bot.storage import LocalAsyncStore, MemoryStore, SqliteStore, SyncStore
from bot.tools.fake_bot_api import TOKEN, Call, FakeBotApi, User, group_chat, plain_text
from bot.turns import TurnRunner
from flows import FLOWS
from tests.support import Chat

JA = User(1001, "ja", "Taro")
ZH = User(1002, "zh-hans", "Wei")
ENGINE = build_engine(warm_up=False)
CAR = next(flow for flow in FLOWS if flow.id == "car_sale")


# -- harness -----------------------------------------------------------------------------


class Running:
    """The real Application polling the fake server, inside the test's event loop."""

    def __init__(self, api: FakeBotApi, store: SyncStore | None = None,
                 engine: Engine = ENGINE) -> None:
        self.api = api
        self.store = store if store is not None else MemoryStore()
        self.runner = TurnRunner(engine, LocalAsyncStore(self.store))
        self.app = build_application(api.token, self.runner, api.base_url)

    async def __aenter__(self) -> Running:
        await self.app.initialize()
        await self.app.post_init(self.app)  # run_polling would call it
        await self.app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=list(ALLOWED_UPDATES)
        )
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()

    async def settle(self, update_id: int) -> None:
        """Until the update was fetched (a later getUpdates confirmed it) and processed."""
        for _ in range(2500):
            if self.api.confirmed >= update_id:
                break
            await asyncio.sleep(0.002)
        else:
            raise AssertionError(f"update {update_id} was never fetched")
        await asyncio.wait_for(self.app.update_queue.join(), 5)

    async def send(self, user: User, text: str | None, chat: dict | None = None,
                   **extra: Any) -> list[Call]:
        mark = len(self.api.calls)
        await self.settle(self.api.push_message(user, text, chat, **extra))
        return self.calls_since(mark)

    async def press(self, user: User, option_id: str, message_id: int | None = None,
                    data: str | None = None) -> list[Call]:
        """Press `option_id` on the newest keyboard (or on message `message_id`)."""
        message = self.keyboard_message(user) if message_id is None else \
            self.api.message(user.id, message_id)
        if data is None:
            data = next(b["callback_data"] for b in buttons(message)
                        if b["callback_data"].endswith(f"|{option_id}"))
        mark = len(self.api.calls)
        await self.settle(self.api.push_press(user, message["message_id"], data))
        return self.calls_since(mark)

    def calls_since(self, mark: int) -> list[Call]:
        """What the bot did in reply (its polling left out)."""
        return [c for c in self.api.calls[mark:] if c.method != "getUpdates"]

    def keyboard_message(self, user: User) -> dict:
        """A snapshot of the newest message with a keyboard."""
        message = next(m for m in reversed(self.api.bot_messages(user.id)) if "reply_markup" in m)
        return copy.deepcopy(message)

    def session(self, user: User):
        return self.store.load(f"telegram:{user.id}")


def run(coroutine) -> Any:
    return asyncio.run(coroutine)


def buttons(message: dict) -> list[dict]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def sent_texts(calls: list[Call]) -> list[str]:
    """The plain text Telegram shows for each sendMessage (tags dropped, entities decoded)."""
    return [plain_text(c.params["text"], "HTML") for c in calls if c.method == "sendMessage"]


def transcript(calls: list[Call]) -> list[str]:
    """method, first 80 characters, [buttons]: what the bot did, for the eye."""
    lines = []
    for call in calls:
        if call.method in ("getUpdates", "getMe", "deleteWebhook", "setMyCommands"):
            continue
        params = call.params
        text = html.unescape(params.get("text", "")).replace("\n", "⏎")[:80]
        keys = [b["text"] for row in (params.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row]
        extra = f" [{' | '.join(keys)}]" if keys else ""
        if call.method == "answerCallbackQuery":
            text = params.get("text", "")
        lines.append(f"{call.method}: {text}{extra}")
    return lines


def expected_texts(user: User, events: list[Event]) -> list[str]:
    """What the engine says for the same events, run without Telegram, as messages: a turn's
    replies share one message, separated by a blank line, and a reply with buttons ends it."""
    chat = Chat(lang=None, user=f"telegram:{user.id}")
    messages = []
    for event in events:
        pending: list[str] = []
        for reply in chat.turn(event, user.language_code):
            pending.append(plain_text(formatted(reply), "HTML"))
            if reply.options:
                messages.append("\n\n".join(pending))
                pending = []
        if pending:
            messages.append("\n\n".join(pending))
    return messages


def assert_all_answered(api: FakeBotApi) -> None:
    assert api.unanswered_queries() == []
    assert all(c.ok for c in api.calls_to("answerCallbackQuery"))


def headline(verdict_id: str, lang: str, answers: dict) -> str:
    """The verdict's headline with its numbers filled in, as the engine words them."""
    verdict = CAR.verdict(verdict_id)
    assert verdict is not None
    yen = translate(lang, texts.YEN)
    values = {k: yen.format(amount=format_number(v, lang)) for k, v in CAR.numbers(answers).items()}
    return translate(lang, verdict.headline).format_map(values)


# -- full consultations ------------------------------------------------------------------


def test_japanese_consultation_by_buttons_reaches_a_verdict(fake_bot_api):
    api = fake_bot_api
    events = [
        Event.command("start"), Event.button("car_sale", "menu"),
        Event.button("self", "car_sale.owner"), Event.button("standard", "car_sale.loan_kind"),
        Event.text("150万"), Event.text("120万"), Event.button("no", "car_sale.replacing"),
        Event.button("business", "car_sale.buyer"), Event.button("regular", "car_sale.vehicle"),
    ]

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start")
            assert bot.keyboard_message(JA)["reply_markup"]["inline_keyboard"][0][0][
                "callback_data"] == "menu|car_sale"
            await bot.press(JA, "car_sale")
            owner_message = bot.keyboard_message(JA)
            await bot.press(JA, "self")
            await bot.press(JA, "standard")
            await bot.send(JA, "150万")
            await bot.send(JA, "120万")
            await bot.press(JA, "no")
            await bot.press(JA, "business")
            await bot.press(JA, "regular")
            return bot.session(JA), owner_message

    session, owner_message = run(scenario())
    assert session.state == "shortfall_sell_only"
    assert session.answers["balance"] == 1_500_000 and session.answers["appraisal"] == 1_200_000
    sent = sent_texts(api.calls)
    assert sent == expected_texts(JA, events)
    assert any(text.startswith(headline("shortfall_sell_only", "ja", session.answers))
               for text in sent)
    # The pressed question now reads as a record: its text, the chosen label, no keyboard.
    owner = api.message(JA.id, owner_message["message_id"])
    label = next(b["text"] for b in buttons(owner_message) if b["callback_data"].endswith("|self"))
    assert owner["text"] == f"{owner_message['text']}\n→ {label}"
    assert "reply_markup" not in owner
    assert len(api.calls_to("editMessageText")) == 6  # the menu and five questions pressed
    final = api.bot_messages(JA.id)[-1]
    assert [b["callback_data"] for b in buttons(final)] == [
        "car_sale.shortfall_sell_only|restart", "car_sale.shortfall_sell_only|menu",
        "car_sale.shortfall_sell_only|export"]
    assert all(c.params["parse_mode"] == "HTML" for c in api.calls_to("sendMessage"))
    assert_all_answered(api)


def test_save_my_plan_sends_the_plan_as_a_document(fake_bot_api):
    """Issue 15: the plan reaches Telegram as an HTML document made in memory."""
    api = fake_bot_api

    async def scenario():
        async with Running(api) as bot:
            await bot.send(ZH, "/start")
            await bot.press(ZH, "card_overdue")
            for option in ("gt3m", "none"):
                await bot.press(ZH, option)
            await bot.send(ZH, "8万")
            await bot.press(ZH, "twice_or_more")
            await bot.press(ZH, "export")
            await bot.send(ZH, "/export")

    run(scenario())
    uploads = api.calls_to("sendDocument")
    assert len(uploads) == 2
    for call in uploads:
        document = call.params["document"]
        assert document["filename"] == "zansai-card_overdue-zh.html"
        page = document["content"].decode()
        assert page.startswith("<!doctype html>") and "8万元" in page
        assert plain_text(call.params["caption"], "HTML") == translate("zh", texts.EXPORT_SENT)
    # after each document, the closing prompt again
    final = api.bot_messages(ZH.id)[-1]
    assert [b["callback_data"].split("|")[1] for b in buttons(final)] == [
        "restart", "menu", "export"]
    assert_all_answered(api)


def test_chinese_consultation_by_typing_reaches_a_verdict(fake_bot_api):
    api = fake_bot_api
    lines = ["/start", "我想卖车", "我自己", "信贩公司的车贷", "80万", "100万"]
    events = [Event.parse(line) for line in lines] + [
        Event.button("business", "car_sale.buyer"), Event.button("regular", "car_sale.vehicle"),
    ]

    async def scenario():
        async with Running(api) as bot:
            for line in lines:
                await bot.send(ZH, line)
            assert bot.session(ZH).state == "buyer"
            await bot.press(ZH, "business")
            await bot.press(ZH, "regular")
            return bot.session(ZH)

    session = run(scenario())
    assert session.lang == "zh" and session.state == "sell_surplus"
    assert session.answers == {"owner": "self", "loan_kind": "standard", "balance": 800_000,
                               "appraisal": 1_000_000, "buyer": "business",
                               "vehicle": "regular"}
    sent = sent_texts(api.calls)
    assert sent == expected_texts(ZH, events)
    assert any(text.startswith(headline("sell_surplus", "zh", session.answers)) for text in sent)
    assert sent[0].startswith(translate("zh", texts.WELCOME) + "\n\n")  # with the menu
    # Typed answers leave their question's keyboard alone; only the pressed ones were edited.
    assert len(api.calls_to("editMessageText")) == 2
    assert_all_answered(api)


# -- commands ----------------------------------------------------------------------------


def test_back_undoes_the_last_answer(fake_bot_api):
    async def scenario():
        async with Running(fake_bot_api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            await bot.press(JA, "lender")
            assert bot.session(JA).state == "loan_kind"
            calls = await bot.send(JA, "/back")
            return bot, calls

    bot, calls = run(scenario())
    session = bot.session(JA)
    assert (session.state, session.history, session.answers) == ("owner", [], {})
    # One message: the notice, then the question again with its keyboard.
    assert [c.method for c in calls] == ["sendMessage"]
    assert sent_texts(calls)[0].startswith(translate("ja", texts.BACK_DONE) + "\n\n")
    last = fake_bot_api.bot_messages(JA.id)[-1]
    assert buttons(last)[0]["callback_data"] == "car_sale.owner|self"


def test_lang_switches_language_by_picker_and_by_argument(fake_bot_api):
    async def scenario():
        async with Running(fake_bot_api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            await bot.send(JA, "/lang")
            picker = bot.keyboard_message(JA)
            assert [b["callback_data"] for b in buttons(picker)] == ["lang|ja", "lang|zh"]
            calls = await bot.press(JA, "zh")
            assert bot.session(JA).lang == "zh"
            assert sent_texts(calls)[0].startswith(translate("zh", texts.LANGUAGE_SET) + "\n\n")
            assert bot.keyboard_message(JA)["reply_markup"]["inline_keyboard"][0][0][
                "callback_data"] == "car_sale.owner|self"
            edited = fake_bot_api.message(JA.id, picker["message_id"])
            assert edited["text"].endswith("\n→ 中文") and "reply_markup" not in edited
            await bot.send(JA, "/lang ja")
            return bot.session(JA)

    session = run(scenario())
    assert session.lang == "ja" and session.state == "owner"


def test_command_menu_is_registered_in_japanese_and_chinese(fake_bot_api):
    async def scenario():
        async with Running(fake_bot_api):
            pass

    run(scenario())
    names = [name for name, _ in COMMANDS]
    assert names == ["start", "back", "restart", "lang", "summary", "export", "help", "privacy",
                     "forget"]
    for language_code, lang in (("", "ja"), ("ja", "ja"), ("zh", "zh")):
        registered = fake_bot_api.commands[language_code]
        assert [c["command"] for c in registered] == names
        assert [c["description"] for c in registered] == [translate(lang, m) for _, m in COMMANDS]


# -- buttons that must not change anything -----------------------------------------------


def test_stale_button_is_answered_and_changes_nothing(fake_bot_api):
    api = fake_bot_api

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            owner_message = bot.keyboard_message(JA)
            await bot.send(JA, "自分")  # typed: the owner keyboard stays on screen
            before = bot.session(JA)
            edits = len(api.calls_to("editMessageText"))
            calls = await bot.press(JA, "dealer", message_id=owner_message["message_id"])
            return bot, before, edits, calls, owner_message

    bot, before, edits, calls, owner_message = run(scenario())
    after = bot.session(JA)
    assert (after.state, after.answers) == (before.state, before.answers) == (
        "loan_kind", {"owner": "self"})
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert sent_texts(calls)[0].startswith(translate("ja", texts.STALE_BUTTON) + "\n\n")
    assert calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == \
        "car_sale.loan_kind|standard"
    assert len(api.calls_to("editMessageText")) == edits  # the old question is not edited
    assert api.message(JA.id, owner_message["message_id"]) == owner_message
    assert_all_answered(api)


@pytest.mark.parametrize("data", [
    "garbage", "car_sale.owner|", "|self", "car_sale.owner", "a|b|c", "car_sale.owner|se lf",
    "é" * 40, "x" * (MAX_CALLBACK_BYTES + 1), "",
])
def test_forged_payload_is_answered_and_changes_nothing(fake_bot_api, data):
    api = fake_bot_api

    async def scenario():
        async with Running(api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            before = bot.session(JA)
            calls = await bot.press(JA, "", data=data)
            return bot, before, calls

    bot, before, calls = run(scenario())
    after = bot.session(JA)
    assert after == before  # not even saved: same version
    answer, resend = calls
    assert answer.method == "answerCallbackQuery"
    assert answer.params["text"] == translate("ja", texts.BUTTON_INVALID)
    assert resend.method == "sendMessage"
    assert resend.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == \
        "car_sale.owner|self"
    assert not api.calls_to("editMessageText", since=len(api.calls) - len(calls))
    assert_all_answered(api)


def test_well_formed_payload_for_another_question_changes_nothing(fake_bot_api):
    async def scenario():
        async with Running(fake_bot_api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            before = bot.session(JA)
            await bot.press(JA, "", data="car_sale.buyer|business")
            await bot.press(JA, "", data="car_sale.owner|no_such_option")
            await bot.press(JA, "", data="lang|zh")
            return bot, before

    bot, before = run(scenario())
    after = bot.session(JA)
    assert (after.lang, after.state, after.answers) == (before.lang, before.state, before.answers)
    assert len(fake_bot_api.calls_to("editMessageText")) == 1  # the menu press only
    assert_all_answered(fake_bot_api)


# -- chats and messages that are not a consultation --------------------------------------


@pytest.mark.parametrize("kind", ["group", "supergroup"])
def test_group_chat_gets_one_polite_line_and_nothing_is_stored(fake_bot_api, kind):
    store = MemoryStore()
    chat = group_chat(-100555, kind)

    async def scenario():
        async with Running(fake_bot_api, store) as bot:
            first = await bot.send(JA, "/start@zansai_test_bot", chat)
            second = await bot.send(JA, "車を売りたい 150万", chat)
            return first, second

    first, second = run(scenario())
    for calls in (first, second):
        (call,) = [c for c in calls if c.method != "getUpdates"]
        assert call.method == "sendMessage" and call.params["chat_id"] == -100555
        assert html.unescape(call.params["text"]) == texts.PRIVATE_ONLY
        assert "\n" not in texts.PRIVATE_ONLY
    assert len(store) == 0


def test_non_text_message_gets_a_hint_and_the_current_question(fake_bot_api):
    async def scenario():
        async with Running(fake_bot_api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            version = bot.session(JA).version
            calls = await bot.send(JA, None, sticker={
                "file_id": "f", "file_unique_id": "u", "type": "regular", "width": 1,
                "height": 1, "is_animated": False, "is_video": False})
            return bot, version, calls

    bot, version, calls = run(scenario())
    assert sent_texts(calls)[0].startswith(translate("ja", texts.TEXT_ONLY) + "\n\n")
    assert calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == \
        "car_sale.owner|self"
    assert bot.session(JA).version == version


# -- long replies ------------------------------------------------------------------------


def test_splitter_cuts_at_paragraphs_then_lines_then_anywhere():
    paragraphs = ["あ" * 1500, "い" * 1500, "う" * 1500, "え" * 1500]
    reply = Reply("\n\n".join(paragraphs), (Choice("a", "A"), Choice("b", "B")), question="q")
    parts = render([reply])
    assert len(parts) == 2
    assert [html.unescape(p.text) for p in parts] == ["\n\n".join(paragraphs[:2]),
                                                     "\n\n".join(paragraphs[2:])]
    assert parts[0].markup is None and parts[1].markup is not None
    assert [b["callback_data"] for row in json.loads(parts[1].markup)["inline_keyboard"]
            for b in row] == ["q|a", "q|b"]

    lines = "\n".join(["か" * 1000] * 9)
    assert all(len(p) <= MAX_MESSAGE for p in split_text(lines))
    assert "\n".join(split_text(lines)) == lines

    solid = "x" * 10_000
    assert [len(p) for p in split_text(solid)] == [4096, 4096, 1808]

    escaped = "<&>" * 3000  # every character grows when escaped: measured after escaping
    parts = render([Reply(escaped)])
    assert all(len(p.text) <= MAX_MESSAGE for p in parts)
    assert "".join(html.unescape(p.text) for p in parts) == escaped

    astral = "😀" * 3000  # two UTF-16 units each
    assert all(html_size(p) <= MAX_MESSAGE for p in split_text(astral))
    assert "".join(split_text(astral)) == astral
    assert split_text("short") == ["short"]


def test_a_turn_is_as_few_messages_as_fit_and_a_keyboard_ends_its_message():
    yes_no = (Choice("y", "はい"), Choice("n", "いいえ"))
    replies = [
        Reply("✓ 1 < 2"),
        Reply("Question one?", yes_no, question="one"),
        Reply("After a keyboard, a new message."),
        Reply("Question two?", yes_no, question="two"),
        Reply("Trailing note."),
    ]
    messages = render(replies)
    assert [html.unescape(m.text) for m in messages] == [
        "✓ 1 < 2\n\nQuestion one?",
        "After a keyboard, a new message.\n\nQuestion two?",
        "Trailing note.",
    ]
    assert messages[0].text.startswith("✓ 1 &lt; 2")  # escaped for parse_mode HTML
    keyboards_sent = [json.loads(m.markup) if m.markup else None for m in messages]
    assert keyboards_sent[0] == {"inline_keyboard": [[
        {"text": "はい", "callback_data": "one|y"}, {"text": "いいえ", "callback_data": "one|n"}]]}
    assert keyboards_sent[1]["inline_keyboard"][0][1]["callback_data"] == "two|n"
    assert keyboards_sent[2] is None
    # Wide labels get a row each.
    wide = (Choice("a", "とても長い選択肢のラベルです"), Choice("b", "短い"))
    rows = json.loads(render([Reply("Q?", wide, question="w")])[0].markup)["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in rows] == [["w|a"], ["w|b"]]
    assert render([]) == []


def long_flow() -> Flow:
    paragraph = "これは長い説明です。" * 150  # 1500 characters
    return Flow(
        id="long",
        title="A long one",
        currency="JPY",
        questions=(Question("q", title="Q", prompt="Ready? 1 < 2 & <b>not bold</b>",
                            options=(Option("go", "Go <now>"),)),),
        transitions=(Transition("q", "done"),),
        verdicts=(Verdict("done", headline="Here it is.", messages=(
            tuple(Block(f"{i}: {paragraph}") for i in range(5)),)),),
        conditions={},
    )


def test_long_verdict_is_split_end_to_end_with_the_keyboard_last(fake_bot_api):
    api = fake_bot_api

    async def scenario():
        async with Running(api, engine=Engine([long_flow()])) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "long")
            question = bot.keyboard_message(JA)
            calls = await bot.press(JA, "go")
            return question, calls

    question, calls = run(scenario())
    # Engine text is escaped: Telegram shows it literally, tags included.
    assert question["text"] == "Ready? 1 < 2 & <b>not bold</b>"
    assert api.message(JA.id, question["message_id"])["text"].endswith("\n→ Go <now>")
    sends = [c for c in calls if c.method == "sendMessage"]
    verdict_parts = [c for c in sends if "これは長い説明です" in c.params["text"]]
    assert len(verdict_parts) >= 2
    assert all(len(c.params["text"]) <= MAX_MESSAGE for c in sends)
    # The turn's replies share messages; only the last part, with the closing prompt, has
    # the keyboard.
    assert all("reply_markup" not in c.params for c in sends[:-1])
    assert sends[-1] is verdict_parts[-1]
    assert "\n\n".join(html.unescape(c.params["text"]) for c in verdict_parts).startswith(
        "Here it is.\n\n0: これは")
    assert sends[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == \
        "long.done|restart"


# -- callback data -----------------------------------------------------------------------


def test_callback_data_fits_64_bytes_for_every_option_of_every_flow():
    shown = {}
    for reply in ENGINE.every_prompt():
        for choice in reply.options:
            data = encode_callback(reply.question, choice.id)
            assert len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES, data
            assert decode_callback(data) == (reply.question, choice.id)
            shown[reply.question, choice.id] = data
    for flow in FLOWS:
        for question in flow.questions:
            for option in question.options:
                assert (f"{flow.id}.{question.id}", option.id) in shown
        for verdict in flow.verdicts:
            assert (f"{flow.id}.{verdict.id}", "restart") in shown
        assert ("menu", flow.id) in shown
    assert ("lang", "zh") in shown and ("car_sale.balance.confirm", "yes") in shown


def test_a_flow_whose_buttons_do_not_fit_is_refused_at_start_up():
    flow = long_flow()
    too_long = Flow(
        id="x" * 60, title="t", currency="JPY", questions=flow.questions,
        transitions=flow.transitions, verdicts=flow.verdicts, conditions={},
    )
    with pytest.raises(ValueError, match="64 bytes"):
        build_application(
            TOKEN, TurnRunner(Engine([too_long]), LocalAsyncStore(MemoryStore()))
        )


# -- persistence -------------------------------------------------------------------------


def test_restart_mid_consultation_resumes_from_sqlite(fake_bot_api, tmp_path):
    path = tmp_path / "zansai.db"

    async def first_run():
        store = SqliteStore(path)
        try:
            async with Running(fake_bot_api, store) as bot:
                await bot.send(JA, "/start")
                await bot.press(JA, "car_sale")
                await bot.press(JA, "self")
                await bot.press(JA, "standard")
                await bot.send(JA, "150万")
                return bot.keyboard_message(JA)
        finally:
            store.close()

    async def second_run(appraisal_message):
        store = SqliteStore(path)
        try:
            async with Running(fake_bot_api, store) as bot:
                assert bot.session(JA).state == "appraisal"
                # The keyboard sent before the restart still works: it is tied to its question.
                await bot.press(JA, "not_yet", message_id=appraisal_message["message_id"])
                await bot.send(JA, "100万")
                await bot.press(JA, "no")
                await bot.press(JA, "business")
                await bot.press(JA, "regular")
                return bot.session(JA)
        finally:
            store.close()

    appraisal_message = run(first_run())
    session = run(second_run(appraisal_message))
    assert session.state == "shortfall_sell_only"
    assert session.answers["balance"] == 1_500_000 and session.answers["estimate"] == 1_000_000
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT user FROM sessions").fetchall() == [("telegram:1001",)]
    assert_all_answered(fake_bot_api)


# -- failures and logs -------------------------------------------------------------------


def test_logs_never_show_the_token_typed_text_or_amounts(fake_bot_api, caplog):
    caplog.set_level(logging.DEBUG)
    free_text = "山田太郎です、よろしく"

    async def scenario():
        with protected_logs(TOKEN):
            async with Running(fake_bot_api) as bot:
                await bot.send(JA, "/start")
                await bot.press(JA, "car_sale")
                await bot.send(JA, free_text)
                await bot.send(JA, "/lang ja")
                await bot.press(JA, "self")
                await bot.press(JA, "standard")
                await bot.send(JA, "1234567")
                await bot.send(JA, "7654321円")
            # The filter also catches the token where a library or an exception puts it.
            logging.getLogger("somewhere").warning("GET %s%s/getMe", fake_bot_api.base_url, TOKEN)
            try:
                raise RuntimeError(f"The token `{TOKEN}` was rejected")
            except RuntimeError:
                logging.getLogger("somewhere").exception("failed")

    run(scenario())
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    secret = TOKEN.partition(":")[2]
    for leak in (TOKEN, secret, free_text, "山田", "1234567", "1,234,567", "123万", "7654321",
                 "7,654,321"):
        assert leak not in logged, leak
    assert "[REDACTED]" in logged
    info = [r.getMessage() for r in caplog.records
            if r.name == "bot.adapters.telegram_bot.adapter" and r.levelno == logging.INFO]
    assert "update=text question=car_sale.owner outcome=repeated" in info
    assert "update=button question=car_sale.owner outcome=accepted" in info
    assert "update=text question=car_sale.balance outcome=advanced" in info
    assert "update=command:lang question=car_sale.owner outcome=repeated" in info
    assert all(line.startswith("update=") for line in info)


def test_error_handler_apologises_and_leaves_the_session_whole(fake_bot_api, caplog,
                                                              monkeypatch):
    caplog.set_level(logging.INFO)
    engine = build_engine(warm_up=False)
    handle = engine.handle

    def failing(session, event):
        if "boom" in event.value:
            raise RuntimeError(f"cannot handle {event.value}")
        return handle(session, event)

    monkeypatch.setattr(engine, "handle", failing)

    async def scenario():
        async with Running(fake_bot_api, engine=engine) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            before = bot.session(JA)
            failed = await bot.send(JA, "boom 7654321")
            unchanged = bot.session(JA)
            # Replies go out before the turn is saved: when sending fails, nothing is saved
            # and the user is asked the same question again (Telegram-side retries re-apply
            # it; here the user answers again).
            fake_bot_api.fail_next("sendMessage")
            await bot.press(JA, "lender")
            after_send_failure = bot.session(JA)
            await bot.press(JA, "lender")
            resumed = await bot.press(JA, "standard")
            return before, failed, unchanged, after_send_failure, resumed

    before, failed, unchanged, after_send_failure, resumed = run(scenario())
    assert unchanged == before
    assert sent_texts(failed)[0].startswith(translate("ja", texts.TRY_AGAIN) + "\n\n")
    assert failed[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == \
        "car_sale.owner|self"
    assert after_send_failure == before
    apologies = [t for t in sent_texts(fake_bot_api.calls) if translate("ja", texts.TRY_AGAIN) in t]
    assert len(apologies) == 2
    assert sent_texts(resumed)[0] == translate("ja", CAR.question("balance").prompt)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert "RuntimeError" in errors[0].getMessage() and "failing" in errors[0].getMessage()
    assert "BadRequest" in errors[1].getMessage()
    assert "7654321" not in caplog.text and "cannot handle boom" not in caplog.text
    assert_all_answered(fake_bot_api)


def test_works_without_sniffio(fake_bot_api, monkeypatch):
    """sniffio is optional for httpx/httpcore/anyio under asyncio; nothing here needs it."""
    import anyio._core._eventloop as anyio_loop

    monkeypatch.setitem(sys.modules, "sniffio", None)  # `import sniffio` now fails
    monkeypatch.setattr(anyio_loop, "sniffio", None, raising=False)

    async def scenario():
        async with Running(fake_bot_api) as bot:
            await bot.send(JA, "/start")
            await bot.press(JA, "car_sale")
            return bot.session(JA)

    assert run(scenario()).state == "owner"


# -- the command line --------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "not-a-token", "12345:short", f"{TOKEN} extra",
                                   "abc:" + "A" * 35])
def test_polling_without_a_valid_token_exits_2_with_one_line(token, tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    if token is not None:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    assert main(["polling"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in err
    assert "Traceback" not in err and (not token or token not in err)


def test_polling_reads_a_malformed_token_from_dotenv(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    Path(".env").write_text("# secrets\nTELEGRAM_BOT_TOKEN=oops\n")
    assert main(["polling"]) == 2
    assert "does not look like a bot token" in capsys.readouterr().err


def test_polling_with_a_token_telegram_rejects_exits_2(fake_bot_api, tmp_path, monkeypatch,
                                                       capsys):
    other = "7012345678:AAF-anotherToken_thatTheServerRejects_x"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", other)
    monkeypatch.setenv("ZANSAI_TELEGRAM_BASE_URL", fake_bot_api.base_url)
    assert main(["polling", "--db", str(tmp_path / "z.db")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("zansai polling: Telegram rejected")
    assert other not in err and other.partition(":")[2] not in err and "Traceback" not in err


def test_settings_come_from_the_environment_then_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\n\nexport TELEGRAM_BOT_TOKEN='" + TOKEN + "'\n"
        "ZANSAI_TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot  # local server\n"
        "ZANSAI_DB=\"/tmp/z.db\"\nBROKEN LINE\n"
    )
    settings = load_settings({}, dotenv)
    assert (settings.token, settings.base_url, settings.db) == (
        TOKEN, "http://127.0.0.1:8081/bot", "/tmp/z.db")
    other = "1234567:" + "B" * 35
    assert load_settings({"TELEGRAM_BOT_TOKEN": other}, dotenv).token == other
    assert load_settings({"TELEGRAM_BOT_TOKEN": ""}, dotenv).token == TOKEN
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, tmp_path / "none").base_url is None


def test_a_verdict_is_a_bold_headline_then_titled_sections_folded_in_quotes():
    """Issue 15: the first message leads with the answer in bold; the rest are named sections
    the user opens (expandable blockquotes); every text is escaped."""
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "120万", "@no", "@business", "@regular")
    first, second = [r for r in chat.replies if r.verdict and not r.options][:2]
    [message] = render([first])
    assert message.text.startswith(f"<b>{first.headline}</b>\n")
    [message] = render([second])
    assert second.sections and all(s.title for s in second.sections)
    for section in second.sections:
        assert f"<b>{section.title}</b>\n<blockquote expandable>" in message.text
    assert message.text.count("<blockquote expandable>") == len(second.sections)
    assert plain_text(message.text, "HTML").startswith(second.sections[0].title + "\n")
    # the console shows the same sections written out
    assert second.text.startswith(f"【{second.sections[0].title}】\n")


def test_section_text_is_escaped_and_an_overlong_verdict_falls_back_to_plain_parts():
    from bot.core.events import Section

    reply = Reply("【A<b>】\nx & y", verdict="v", sections=(Section("A<b>", "x & y"),))
    [message] = render([reply])
    assert message.text == "<b>A&lt;b&gt;</b>\n<blockquote expandable>x &amp; y</blockquote>"
    long = Reply("【T】\n" + "あ" * 5000, verdict="v", sections=(Section("T", "あ" * 5000),))
    parts = render([long])
    assert len(parts) >= 2 and all("<blockquote" not in p.text for p in parts)
    assert "".join(p.text for p in parts).startswith("【T】")

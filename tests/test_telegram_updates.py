"""The webhook reads updates without PTB's objects: it must read them exactly as PTB does.

Every update is read both ways, `Incoming.from_json(d)` and
`Incoming.from_update(Update.de_json(d))`, and the two must agree; what PTB cannot read,
`from_json` refuses with NotAnUpdate.
"""

from __future__ import annotations

import copy

import pytest
from telegram import Bot, Update

from bench.tg_updates import build_corpus
from bot.adapters.telegram_bot.updates import Incoming, NotAnUpdate
from bot.tools.fake_bot_api import TOKEN
from tests.test_faults import CHAT, FROM, MALFORMED, MARK

BOT = Bot(TOKEN)
USER = {"id": 77, "is_bot": False, "first_name": "花子", "language_code": "zh-hans"}
PRIVATE = {"id": 77, "type": "private", "first_name": "花子"}
GROUP = {"id": -100123, "type": "supergroup", "title": "g"}
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "はい", "callback_data": "q|y"}, {"text": "いいえ", "callback_data": "q|n"}],
        [{"text": "link", "url": "https://example.org"}],
    ]
}
BOTS_MESSAGE = {
    "message_id": 9,
    "from": {"id": 1, "is_bot": True, "first_name": "Zansai"},
    "chat": PRIVATE,
    "date": 1_700_000_000,
    "text": "ローンは？ 1 < 2",
    "entities": [{"type": "bot_command", "offset": 0, "length": 2}],
    "reply_markup": KEYBOARD,
}


def message(**fields) -> dict:
    return {"update_id": 5, "message": {"message_id": 3, "date": 1, "chat": PRIVATE,
                                        "from": USER, "text": "150万", **fields}}


def press(**fields) -> dict:
    return {"update_id": 6, "callback_query": {"id": "q1", "from": USER, "chat_instance": "ci",
                                               "data": "q|y", "message": BOTS_MESSAGE, **fields}}


EDGE_CASES = {
    "text": message(),
    "a command with its entity": message(
        text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}]),
    "a sticker": {"update_id": 7, "message": {
        "message_id": 3, "date": 1, "chat": PRIVATE, "from": USER, "sticker": {
            "file_id": "f", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
            "is_animated": False, "is_video": False}}},
    "a group": message(chat=GROUP),
    "no sender": {"update_id": 8, "message": {"message_id": 3, "date": 1, "chat": PRIVATE}},
    "no language": message(**{"from": {"id": 78, "is_bot": False, "first_name": "x"}}),
    "a press": press(),
    "a press on a group message": press(message={**BOTS_MESSAGE, "chat": GROUP}),
    "a press on an inaccessible message": press(
        message={"message_id": 9, "chat": PRIVATE, "date": 0}),
    "a press on a formatted message": press(message={**BOTS_MESSAGE, "entities": [
        {"type": "bold", "offset": 0, "length": 4}]}),
    "a press on an inline message": press(message=None, inline_message_id="im"),
    "a press without data": press(data=None, game_short_name="g"),
    "a press on a message without a keyboard": press(
        message={k: v for k, v in BOTS_MESSAGE.items() if k != "reply_markup"}),
    "an edited message": {"update_id": 9, "edited_message": message()["message"]},
    "only an update id": {"update_id": 10},
    "a kind from the future": {"update_id": 11, "future_kind": {"text": "x"}},
}  # fmt: skip
REFUSED = {
    **MALFORMED,
    "not an object": [1, 2],
    "sender without is_bot": message(**{"from": {"id": 1, "first_name": "x"}}),
    "press without id": {"update_id": 6, "callback_query": {
        "from": USER, "chat_instance": "ci", "data": "q|y"}},
    "keyboard is a string": press(message={**BOTS_MESSAGE, "reply_markup": "[]"}),
    "a button without text": press(message={**BOTS_MESSAGE, "reply_markup": {
        "inline_keyboard": [[{"callback_data": "q|y"}]]}}),
}  # fmt: skip
# PTB does not check these types; Telegram never sends them, and the webhook refuses them.
STRICTER = {
    "update_id as text": {"update_id": "5"},
    "update_id true": {"update_id": True},
    "chat id as text": message(chat={"id": "77", "type": "private"}),
    "press from nobody": {"update_id": 6, "callback_query": {
        "id": "q", "chat_instance": "ci", "data": "q|y"}},
    "text is a number": message(text=150),
}  # fmt: skip


def read_by_ptb(data: object) -> Incoming:
    return Incoming.from_update(Update.de_json(copy.deepcopy(data), BOT))


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edge_cases_are_read_as_ptb_reads_them(name):
    data = EDGE_CASES[name]
    assert Incoming.from_json(data) == read_by_ptb(data)


def test_a_formatted_message_pressed_loses_only_its_keyboard():
    """A verdict's buttons: its text arrives plain (the bold and the quotes are entities), so
    marking the press would flatten it; only the keyboard goes."""
    from bot.adapters.telegram_bot.adapter import _mark_chosen

    formatted = Incoming.from_json(EDGE_CASES["a press on a formatted message"])
    assert formatted.message_text is None and formatted.buttons
    assert _mark_chosen(formatted) == {"method": "editMessageReplyMarkup", "message_id": 9}
    plain = _mark_chosen(Incoming.from_json(EDGE_CASES["a press"]))
    assert plain is not None and plain["method"] == "editMessageText"


def test_entities_of_any_shape_never_raise():
    from bot.adapters.telegram_bot.updates import _formatted

    assert not _formatted([{"type": []}, {"type": None}, 1, "bold"])
    assert not _formatted({"type": "bold"}) and not _formatted(None)
    assert _formatted([{"type": "url"}, {"type": "expandable_blockquote"}])


def test_fields_read_from_a_press():
    read = Incoming.from_json(EDGE_CASES["a press"])
    assert (read.kind, read.chat_id, read.private, read.user_id, read.language_code) == (
        "button", 77, True, 77, "zh-hans")
    assert (read.query_id, read.data, read.message_id, read.message_text) == (
        "q1", "q|y", 9, "ローンは？ 1 < 2")
    assert read.buttons == (("はい", "q|y"), ("いいえ", "q|n"), ("link", None))
    assert not Incoming.from_json(EDGE_CASES["a group"]).private
    assert not Incoming.from_json(EDGE_CASES["no sender"]).private
    assert Incoming.from_json(EDGE_CASES["a kind from the future"]).kind == "other"


@pytest.mark.parametrize("name", REFUSED)
def test_what_ptb_cannot_read_is_not_an_update(name):
    data = REFUSED[name]
    with pytest.raises(Exception):  # noqa: B017 (PTB raises TypeError, KeyError, …)
        read_by_ptb(data)
    with pytest.raises(NotAnUpdate):
        Incoming.from_json(data)


@pytest.mark.parametrize("name", STRICTER)
def test_wrong_types_ptb_lets_through_are_not_an_update_either(name):
    with pytest.raises(NotAnUpdate):
        Incoming.from_json(STRICTER[name])


def test_every_update_of_the_benchmark_conversations_is_read_as_ptb_reads_it():
    corpus = build_corpus(40, 800)
    updates = [update for chat in corpus.chats for update in chat.updates]
    assert len(updates) >= 800
    kinds = set()
    for data in updates:
        read = Incoming.from_json(data)
        assert read == read_by_ptb(data)
        kinds.add((read.kind, read.text is not None, bool(read.buttons)))
    assert {("message", True, False), ("button", False, True)} <= kinds
    assert MARK and FROM and CHAT  # the fault tests' shapes are reused above

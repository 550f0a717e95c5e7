"""Telegram updates for the PTB and webhook benchmarks: the scripted conversations of
`bench.scripts`, as the JSON Telegram would POST, with what the bot answers to each.

Each user's turns are replayed offline through `OfflineTurns` on the real engine and a
`MemoryStore`, and every reply is rendered the way the adapter renders it (`render` of the Telegram
adapter), so:

- a typed answer or a command is a `message` update ("/start" carries its bot_command
  entity);
- a press is a `callback_query` whose `message` is the bot's own earlier message with its
  real keyboard, and whose `callback_data` is a button of that keyboard
  (`encode_callback(question, option)`), as the client sends it;
- for every update we know how many `sendMessage` calls the bot should make, and the
  session the store holds before it (so a chat can start in the middle of its conversation).

`Template`s keep a placeholder chat id and update id; `Template.body(chat_id, update_id)`
makes the bytes to POST, cheaply, so the load generator can give every run fresh chats.
"""

from __future__ import annotations

import html
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.core import OfflineTurns
from bench.scripts import KNOWN_CODES, LANGUAGE_CODES, Turn, build_scripts, schedule
from bot.adapters.telegram_bot.callbacks import encode_callback
from bot.adapters.telegram_bot.render import render
from bot.app import build_engine
from bot.core.engine import Engine
from bot.core.events import Event, Kind
from bot.storage import MemoryStore
from bot.tools.fake_bot_api import BOT_USER, DATE, TOKEN  # noqa: F401 (re-exported)
from flows import FLOWS

# Placeholders in Template bodies; no other number in an update has 12 digits.
CHAT_MARK = 987_654_321_012
UPDATE_MARK = 876_543_210_987


@dataclass
class ChatScript:
    """One user's updates, in order, with real ids (chat id == user id: private chats)."""

    chat_id: int
    language_code: str | None
    updates: list[dict[str, Any]] = field(default_factory=list)
    sends: list[int] = field(default_factory=list)  # sendMessage calls each update causes
    sessions: list[str | None] = field(default_factory=list)  # stored session before each
    tags: list[str] = field(default_factory=list)


@dataclass
class Template:
    """A ChatScript with placeholder ids: `body(chat, update)` gives the bytes to POST."""

    language_code: str | None
    bodies: list[bytes]
    sends: list[int]
    sessions: list[str | None]

    def body(self, index: int, chat_id: int, update_id: int) -> bytes:
        return (
            self.bodies[index]
            .replace(b"987654321012", b"%d" % chat_id)
            .replace(b"876543210987", b"%d" % update_id)
        )


def user_json(chat_id: int, code: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "U"}
    if code:
        data["language_code"] = code
    return data


def chat_json(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "U"}


def _text_of(event: Event) -> str:
    if event.kind is Kind.COMMAND:
        return f"/{event.value}" + (f" {event.arg}" if event.arg else "")
    return event.value


def build_chats(engine: Engine, turns: Sequence[Turn]) -> list[ChatScript]:
    """Replay `turns` offline; every user becomes a ChatScript of Telegram updates."""
    conversations = OfflineTurns(engine, MemoryStore())
    store: MemoryStore = conversations.store  # type: ignore[assignment]
    chats: dict[str, ChatScript] = {}
    keyboards: dict[str, dict[str, dict[str, Any]]] = {}  # user -> question -> bot message
    message_ids = itertools.count(1)
    update_ids = itertools.count(1)
    for turn in turns:
        chat_id = int(turn.user.rpartition(":")[2])
        chat = chats.get(turn.user)
        if chat is None:
            chat = chats[turn.user] = ChatScript(chat_id, turn.language_code)
            keyboards[turn.user] = {}
        sender = user_json(chat_id, turn.language_code)
        update_id = next(update_ids)
        event = turn.event
        if event.kind is Kind.BUTTON:
            shown = keyboards[turn.user]
            question = event.question or next(reversed(shown), "menu")
            data = encode_callback(question, event.value)
            message = shown.get(question)
            if message is None or not any(
                b.get("callback_data") == data
                for row in message["reply_markup"]["inline_keyboard"]
                for b in row
            ):  # a button the bot never showed this user: a one-button message of its own
                message = {
                    "message_id": next(message_ids),
                    "from": BOT_USER,
                    "chat": chat_json(chat_id),
                    "date": DATE,
                    "text": "…",
                    "reply_markup": {
                        "inline_keyboard": [[{"text": event.value, "callback_data": data}]]
                    },
                }
            update: dict[str, Any] = {
                "update_id": update_id,
                "callback_query": {
                    "id": f"{update_id}",
                    "from": sender,
                    "chat_instance": f"ci{chat_id}",
                    "message": json.loads(json.dumps(message)),
                    "data": data,
                },
            }
        else:
            text = _text_of(event)
            message = {
                "message_id": next(message_ids),
                "from": sender,
                "chat": chat_json(chat_id),
                "date": DATE,
                "text": text,
            }
            if event.kind is Kind.COMMAND:
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            update = {"update_id": update_id, "message": message}
        stored = store.load(turn.user)
        chat.sessions.append(stored.dumps() if stored is not None else None)
        replies = conversations.turn(turn.user, event, turn.language_code)
        messages = render(replies)
        for message in messages:
            if message.markup is None:
                continue
            markup = json.loads(message.markup)
            question = markup["inline_keyboard"][0][0]["callback_data"].partition("|")[0]
            keyboards[turn.user][question] = {
                "message_id": next(message_ids),
                "from": BOT_USER,
                "chat": chat_json(chat_id),
                "date": DATE,
                "text": html.unescape(message.text),
                "reply_markup": markup,
            }
        chat.updates.append(update)
        chat.sends.append(len(messages))
        chat.tags.append(turn.tag)
    return list(chats.values())


def template(chat: ChatScript) -> Template:
    """The chat's updates as JSON bytes with placeholder ids."""
    old_chat, old_ci = b"%d" % chat.chat_id, b"ci%d" % chat.chat_id
    bodies = []
    for update in chat.updates:
        data = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()
        data = data.replace(old_ci, b"ci%d" % CHAT_MARK).replace(old_chat, b"%d" % CHAT_MARK)
        head = b'{"update_id":%d' % update["update_id"]
        assert data.startswith(head), data[:40]
        data = b'{"update_id":%d' % UPDATE_MARK + data[len(head) :]
        if b'"callback_query":{"id":"%d"' % update["update_id"] in data:
            data = data.replace(
                b'"callback_query":{"id":"%d"' % update["update_id"],
                b'"callback_query":{"id":"%d"' % UPDATE_MARK,
                1,
            )
        bodies.append(data)
    return Template(chat.language_code, bodies, list(chat.sends), list(chat.sessions))


@dataclass
class Corpus:
    chats: list[ChatScript]
    turns: list[Turn]
    seconds: float  # how long building it took

    @property
    def updates(self) -> int:
        return sum(len(c.updates) for c in self.chats)

    def in_order(self) -> list[tuple[ChatScript, int]]:
        """(chat, index) in the round-robin order the turns were scheduled in."""
        by_user = {f"telegram:{c.chat_id}": c for c in self.chats}
        cursor = dict.fromkeys(by_user, 0)
        out = []
        for turn in self.turns:
            index = cursor[turn.user]
            cursor[turn.user] = index + 1
            out.append((by_user[turn.user], index))
        return out


def build_corpus(users: int, turns: int, peers: bool = False) -> Corpus:
    """The scheduled conversations as updates. `peers`: only `car_sale` (the consultation
    the peers are written for), and every user sends a language_code we read (no picker)."""
    started = time.perf_counter()
    engine = build_engine(warm_up=False)
    flows = [flow for flow in FLOWS if flow.id == "car_sale"] if peers else FLOWS
    scripts = build_scripts(engine, flows)
    scheduled = schedule(scripts, users, turns, codes=KNOWN_CODES if peers else LANGUAGE_CODES)
    chats = build_chats(engine, scheduled)
    return Corpus(chats, scheduled, time.perf_counter() - started)

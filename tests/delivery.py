"""Checking that a chat's updates were applied exactly once and in order.

Shared by the webhook and fault tests: the engine run offline on the same script says what
each turn replies and where the session must end; a turn cut off while delivering (Telegram
then retries it) may have sent a first part of its replies twice, and nothing else may differ.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import sqlite3

from bot.adapters.telegram_bot.render import render
from bot.core.events import Event, Kind
from bot.core.session import Session
from bot.storage import LocalAsyncStore, MemoryStore
from bot.tools.fake_bot_api import FakeBotApi, User
from bot.turns import TurnRunner
from tests.support import ENGINE, run


def event_for(kind: str, value: str, number: int | None = None) -> Event:
    """The event of a script line; typed text carries `number`, its message's place among
    the user's messages (the engine keeps it for an edit; `as_sent` makes it Telegram's id)."""
    if kind != "text":
        return Event.button(value)
    event = Event.parse(value)
    return Event.text(value, number) if event.kind is Kind.TEXT else event


def offline(user: User, script: list[tuple[str, str]]) -> tuple[list[list[str]], Session]:
    """Each turn's messages (as the adapter renders its replies) and the final session, from
    the engine alone."""
    store = MemoryStore()
    runner = TurnRunner(ENGINE, LocalAsyncStore(store))
    key = f"telegram:{user.id}"
    texts = 0

    def replies(kind: str, value: str) -> list:
        nonlocal texts
        texts += kind == "text"
        event = event_for(kind, value, texts)
        turn = run(runner.turn(key, event, user.language_code))
        assert turn is not None
        return turn.replies

    turns = [
        [html.unescape(message.text) for message in render(replies(k, v))] for k, v in script
    ]
    session = store.load(key)
    assert session is not None
    return turns, session


def as_sent(expected: Session, api: FakeBotApi, user: User) -> Session:
    """The offline session with its reference to the user's last message typed at a question
    (Session.typed, the n-th text of the script) made the id of the n-th message the user
    sent in the fake Bot API: what the bot must have stored."""
    if not expected.typed:
        return expected
    number, question = expected.typed
    sent = [m for m in api.messages.get(user.id, []) if m["from"]["id"] == user.id]
    return dataclasses.replace(expected, typed=[sent[number - 1]["message_id"], question])


def sent_texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [
        html.unescape(c.params["text"])
        for c in list(api.calls)
        if c.method == "sendMessage" and c.params.get("chat_id") == chat_id
    ]


def redelivered(observed: list[str], turns: list[list[str]]) -> int | None:
    """How many replies were sent again, if `observed` is each turn's replies in order, each
    turn preceded by any number of cut-off deliveries (prefixes, or all of it); else None."""

    @functools.cache
    def match(position: int, turn: int) -> int | None:
        if turn == len(turns):
            return 0 if position == len(observed) else None
        replies = turns[turn]
        best = None
        # The delivery that counted: the whole turn, then the next turn.
        if observed[position : position + len(replies)] == replies:
            rest = match(position + len(replies), turn + 1)
            if rest is not None:
                best = rest
        # Or an interrupted delivery of this turn (a non-empty prefix), then this turn again.
        for length in range(1, len(replies) + 1):
            if observed[position : position + length] != replies[:length]:
                break
            rest = match(position + length, turn)
            if rest is not None and (best is None or rest + length < best):
                best = rest + length
        return best

    return match(0, 0)


def explain(user: User, observed: list[str], turns: list[list[str]]) -> str:
    expected = [text for replies in turns for text in replies]
    lines = [f"chat {user.id}: {len(observed)} messages sent, {len(expected)} expected"]
    for i in range(max(len(observed), len(expected))):
        got = observed[i][:40] if i < len(observed) else "-"
        want = expected[i][:40] if i < len(expected) else "-"
        lines.append(f"{'  ' if got == want else '≠ '}{i:3} {got!r:50} {want!r}")
    return "\n".join(lines)


def stored_session(store: str, where: str, user: User, prefix: str = "zansai:") -> Session | None:
    key = f"telegram:{user.id}"
    if store == "sqlite":
        with contextlib.closing(sqlite3.connect(where)) as db:
            row = db.execute("SELECT data FROM sessions WHERE user = ?", (key,)).fetchone()
        return None if row is None else Session.loads(key, row[0])
    import redis

    client = redis.Redis.from_url(where, decode_responses=True)
    try:
        data = client.hget(f"{prefix}s:{key}", "d")
    finally:
        client.close()
    return None if data is None else Session.loads(key, data)

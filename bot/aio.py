"""Turns for the asynchronous adapters (Telegram polling, webhook), exactly once and in order.

    begin: lock(chat) ─► seen(update_id)? ─► load ─► Engine.handle ─► deliver ─► save+mark+unlock
                               └─ yes: unlock, acknowledge, apply nothing

Replies are delivered *before* the session and the update id are saved together: a crash in
between re-applies the turn when Telegram retries (the user may see a reply twice), but an
acknowledged turn is never lost and never applied twice.

A store opens a turn with `begin` and ends it with `Begun.save` or `Begun.delete`, so that a
shared store (Redis) needs two round trips per turn: one for lock + seen + load, one for
save + mark + unlock. A turn left without either (a duplicate, or `deliver` raised) is
unlocked when `begin`'s block exits, and nothing is saved.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from redis import exceptions as redis_errors

from bot.chatlocks import ChatLocks
from bot.engine import Engine
from bot.events import Event, Reply
from bot.session import Session
from bot.stores import DEFAULT_TTL, SqliteStore, Store

Deliver = Callable[[list[Reply]], Awaitable[None]]


class RetryLater(Exception):
    """The turn could not be applied now (store busy, down or raced); nothing was saved.

    The webhook answers 503 so that Telegram sends the update again.
    """


class NotAnUpdate(ValueError):
    """The adapter could not read the update it was given; the webhook answers 400."""


# What a store raises when it may work again shortly: disk locked, server restarting.
STORE_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError,
    ConnectionError,
    TimeoutError,
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.BusyLoadingError,
    redis_errors.ReadOnlyError,
)


@asynccontextmanager
async def retry_later_on_store_errors() -> AsyncIterator[None]:
    try:
        yield
    except STORE_ERRORS as error:
        raise RetryLater(type(error).__name__) from error


class Begun(Protocol):
    """One chat's turn, with the chat locked: whether its update was applied before, and the
    session as it was (None: a new chat). `save` or `delete` ends the turn and the lock."""

    seen: bool
    session: Session | None

    async def save(self, session: Session) -> None: ...
    async def delete(self) -> None: ...


class AsyncStore(Protocol):
    def begin(self, user: str, update_id: int | None) -> AbstractAsyncContextManager[Begun]: ...
    async def load(self, user: str) -> Session | None: ...
    async def save(self, session: Session, update_id: int | None = None) -> None: ...
    async def seen(self, user: str, update_id: int) -> bool: ...
    async def delete(self, user: str, update_id: int | None = None) -> None: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


@dataclass(slots=True)
class LocalBegun:
    """A turn on a local store: the chat's `ChatLocks` entry is held by `begin`'s block."""

    store: Store
    user: str
    update_id: int | None
    seen: bool
    session: Session | None

    async def save(self, session: Session) -> None:
        self.store.save(session, self.update_id)

    async def delete(self) -> None:
        self.store.delete(self.user, self.update_id)


class LocalAsyncStore:
    """A synchronous store (SQLite, memory) for one process; its calls take microseconds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = ChatLocks()

    @asynccontextmanager
    async def begin(self, user: str, update_id: int | None) -> AsyncIterator[LocalBegun]:
        async with self.lock(user):
            seen, session = self.store.begin(user, update_id)
            yield LocalBegun(self.store, user, update_id, seen, session)

    async def load(self, user: str) -> Session | None:
        return self.store.load(user)

    async def save(self, session: Session, update_id: int | None = None) -> None:
        self.store.save(session, update_id)

    async def seen(self, user: str, update_id: int) -> bool:
        return self.store.seen(user, update_id)

    async def delete(self, user: str, update_id: int | None = None) -> None:
        self.store.delete(user, update_id)

    async def ping(self) -> None:
        self.store.load("zansai:ping")

    async def close(self) -> None:
        self.store.close()


def open_store(url: str | None = None, ttl: int | None = None) -> AsyncStore:
    """`ZANSAI_STORE`: `sqlite:///path` (default: the embedded file) or `redis://host:port/db`.

    As in SQLAlchemy, `sqlite:///zansai.db` is relative and `sqlite:////var/lib/z.db` absolute.
    """
    url = url or os.environ.get("ZANSAI_STORE", "")
    ttl = ttl or int(os.environ.get("ZANSAI_SESSION_TTL", DEFAULT_TTL))
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bot.redis_store import RedisStore

        return RedisStore(url, ttl=ttl, prefix=os.environ.get("ZANSAI_REDIS_PREFIX", "zansai:"))
    if url and not url.startswith("sqlite:///"):
        raise ValueError("ZANSAI_STORE must be sqlite:///PATH or redis://HOST:PORT/DB")
    path = url.removeprefix("sqlite:///")
    return LocalAsyncStore(SqliteStore(path or None, ttl=ttl))


@dataclass(frozen=True, slots=True)
class Turn:
    """What a turn said, which question was open before it, and the user's language after."""

    replies: list[Reply]
    before: str | None
    lang: str | None


class AsyncConversations:
    """The asynchronous twin of `engine.Conversations`, with update ids and per-chat locks."""

    def __init__(self, engine: Engine, store: AsyncStore) -> None:
        self.engine = engine
        self.store = store

    async def turn(
        self,
        user: str,
        event: Event,
        language_code: str | None = None,
        update_id: int | None = None,
        deliver: Deliver | None = None,
    ) -> Turn | None:
        """Apply one event; None if `update_id` was applied before (nothing is delivered).

        Raises RetryLater when the store fails; whatever `deliver` raises passes through,
        and in both cases nothing is saved.
        """
        async with retry_later_on_store_errors(), self.store.begin(user, update_id) as begun:
            if begun.seen:
                return None
            session = begun.session or self.engine.new_session(user, language_code)
            before = self.engine.open_question(session)
            outcome = self.engine.handle(session, event)
            if deliver is not None:
                await deliver(outcome.replies)
            if outcome.forget:
                await begun.delete()
            else:
                await begun.save(session)
            return Turn(outcome.replies, before, session.lang)

    async def session(self, user: str) -> Session | None:
        return await self.store.load(user)

"""What every session store offers, and what its failures mean to a turn.

A store is asynchronous to its callers (the turn runner): `begin` opens one chat's turn with
the chat locked, reading whether its update was applied before and the session as it was;
`Begun.save` or `Begun.delete` ends it. Local stores (memory, SQLite) are synchronous
underneath and wrapped by `LocalAsyncStore`; Redis is asynchronous itself.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.session import Session

DEFAULT_TTL = 90 * 24 * 3600  # sessions idle longer than this are deleted
UPDATE_TTL = 24 * 3600  # how long an applied Telegram update_id is remembered
# Update ids remembered in each chat's row. Telegram retries an update it got no answer for;
# it would take this many newer updates of the same chat before that retry to miss one.
RECENT_UPDATES = 32


class RetryLater(Exception):
    """The turn could not be applied now (store busy, down or raced); nothing was saved.

    The webhook answers 503 so that Telegram sends the update again.
    """


# What a local store raises when it may work again shortly (the disk is locked, say). A
# store adds its own in `transient_errors` (Redis: connection lost, server loading).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError,
    ConnectionError,
    TimeoutError,
)


class SyncStore(Protocol):
    """A local store's synchronous core (memory, SQLite): sessions plus the update ids
    already applied, so that a retried update is not applied twice.

    `begin(user, update_id)` reads both for a turn; `save(session, update_id)` stores both at
    once; `delete(user, update_id)` likewise, for /forget.
    """

    def begin(self, user: str, update_id: int | None) -> tuple[bool, Session | None]: ...
    def load(self, user: str) -> Session | None: ...
    def save(self, session: Session, update_id: int | None = None) -> None: ...
    def seen(self, user: str, update_id: int) -> bool: ...
    def delete(self, user: str, update_id: int | None = None) -> None: ...
    def close(self) -> None: ...


class Begun(Protocol):
    """One chat's turn, with the chat locked: whether its update was applied before, and the
    session as it was (None: a new chat). `save` or `delete` ends the turn and the lock."""

    seen: bool
    session: Session | None

    async def save(self, session: Session) -> None: ...
    async def delete(self) -> None: ...


class AsyncStore(Protocol):
    """The one store protocol the turn runner uses, whatever the backend."""

    transient_errors: tuple[type[BaseException], ...]

    def begin(self, user: str, update_id: int | None) -> AbstractAsyncContextManager[Begun]: ...
    async def load(self, user: str) -> Session | None: ...
    async def save(self, session: Session, update_id: int | None = None) -> None: ...
    async def seen(self, user: str, update_id: int) -> bool: ...
    async def delete(self, user: str, update_id: int | None = None) -> None: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...

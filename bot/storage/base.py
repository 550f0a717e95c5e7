"""What every session store offers, and what its failures mean to a turn.

A store is asynchronous to its callers (the turn runner): `begin` opens one chat's turn with
the chat locked, reading whether its update was applied before, the session as it was and
the chat's outbox (replies a turn saved but did not finish delivering); `Begun.save` or
`Begun.delete` stores the turn (with its outbox), `Begun.delivered` records each reply sent.
Local stores (memory, SQLite) are synchronous underneath and wrapped by `LocalAsyncStore`;
Redis is asynchronous itself. `pace` keeps the send rates where the sessions are, so every
worker sharing a store shares them.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.session import Session

DEFAULT_TTL = 90 * 24 * 3600  # sessions idle longer than this are deleted
UPDATE_TTL = 24 * 3600  # how long an applied Telegram update_id is remembered
# Update ids remembered in each chat's row. Telegram retries an update it got no answer for;
# it would take this many newer updates of the same chat before that retry to miss one.
RECENT_UPDATES = 32


@dataclass(slots=True)
class Outbox:
    """A turn's replies, saved together with the turn before the first is sent, and how many
    of them were delivered: a retried update, the chat's next update or a restart delivers
    the rest, in order, and never one twice.

    `messages` are what the adapter renders (JSON objects the store keeps as they are).
    """

    messages: list[dict[str, Any]]
    delivered: int = 0

    @property
    def done(self) -> bool:
        return self.delivered >= len(self.messages)

    def dumps(self) -> str:
        return json.dumps(
            {"m": self.messages, "n": self.delivered}, ensure_ascii=False, separators=(",", ":")
        )

    @classmethod
    def loads(cls, text: str | None, delivered: int | None = None) -> Outbox | None:
        """None for no outbox; `delivered` overrides the count kept in the text."""
        if not text:
            return None
        data = json.loads(text)
        outbox = cls(data["m"], int(data.get("n", 0) if delivered is None else delivered))
        return None if outbox.done else outbox


@dataclass(frozen=True, slots=True)
class Rate:
    """A token bucket: `per_second` sustained, up to `burst` at once after a quiet spell."""

    per_second: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        """How far ahead of the sustained pace a send may go (the burst, in seconds)."""
        return (self.burst - 1) * self.interval


@dataclass(slots=True)
class Buckets:
    """Token buckets as GCRA, in one process (memory and SQLite stores): for each key the
    time its next send is due at the sustained rate (the "theoretical arrival time")."""

    due: dict[str, float] = field(default_factory=dict)
    max_keys: int = 100_000

    def reserve(self, now: float, rates: list[tuple[str, Rate]]) -> float:
        """Reserve one send under every (key, rate) at once; the delay before it may go."""
        at = now
        for key, rate in rates:
            at = max(at, self.due.get(key, 0.0) - rate.tolerance)
        if len(self.due) >= self.max_keys:  # drop keys that are back to a full bucket
            self.due = {k: due for k, due in self.due.items() if due > now}
        for key, rate in rates:
            self.due[key] = max(self.due.get(key, 0.0), at) + rate.interval
        return at - now

    def forget(self, key: str) -> None:
        self.due.pop(key, None)


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

    `open(user, update_id)` is `begin` plus the chat's outbox (an undelivered turn's
    replies, then seen or not); `save` and `delete` take the turn's outbox, and `delivered`
    records how many of its messages were sent (all: the outbox is dropped; for a chat whose
    session was deleted by /forget, its row goes with it).
    """

    def begin(self, user: str, update_id: int | None) -> tuple[bool, Session | None]: ...
    def open(
        self, user: str, update_id: int | None
    ) -> tuple[bool, Session | None, Outbox | None]: ...
    def load(self, user: str) -> Session | None: ...
    def save(
        self, session: Session, update_id: int | None = None, outbox: Outbox | None = None
    ) -> None: ...
    def seen(self, user: str, update_id: int) -> bool: ...
    def delete(
        self, user: str, update_id: int | None = None, outbox: Outbox | None = None
    ) -> None: ...
    def delivered(self, user: str, outbox: Outbox) -> None: ...
    def restore(self, user: str, session: Session | None) -> None: ...
    def close(self) -> None: ...


class Begun(Protocol):
    """One chat's turn, with the chat locked: whether its update was applied before, the
    session as it was (None: a new chat) and the chat's outbox (None: every reply of every
    turn was delivered).

    `save` or `delete` stores the turn. Without an outbox that ends the turn and the lock;
    with one the chat stays locked while its messages go out: `hold` before each send makes
    sure the lock is still this turn's (RetryLater if not: another worker took over), and
    `delivered` records each message sent (`release`: the last one also ends the turn).
    `restore` puts the session back as it was before this turn, when none of the turn's
    replies could be delivered. Leaving the `begin` block ends the turn in any case.
    """

    seen: bool
    session: Session | None
    outbox: Outbox | None

    async def save(self, session: Session, outbox: Outbox | None = None) -> None: ...
    async def delete(self, outbox: Outbox | None = None) -> None: ...
    async def hold(self) -> None: ...
    async def delivered(self, outbox: Outbox, release: bool = False) -> None: ...
    async def restore(self, session: Session | None) -> None: ...


class AsyncStore(Protocol):
    """The one store protocol the turn runner uses, whatever the backend."""

    transient_errors: tuple[type[BaseException], ...]

    def begin(self, user: str, update_id: int | None) -> AbstractAsyncContextManager[Begun]: ...
    async def load(self, user: str) -> Session | None: ...
    async def save(self, session: Session, update_id: int | None = None) -> None: ...
    async def seen(self, user: str, update_id: int) -> bool: ...
    async def delete(self, user: str, update_id: int | None = None) -> None: ...
    async def pace(self, user: str, chat: Rate, overall: Rate) -> float:
        """Reserve one send to `user`'s chat under both rates; the seconds to wait first."""
        ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...

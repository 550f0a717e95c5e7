"""A synchronous store (memory, SQLite) behind the async protocol, for one process.

A store that may block (SQLite: a lock held by another process makes a statement wait up to
its busy timeout) runs in a small thread pool, so the event loop goes on serving `/healthz`
and other chats meanwhile; a store that never blocks (memory) is called directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.core.session import Session
from bot.storage.base import TRANSIENT_ERRORS, Buckets, Outbox, Rate, SyncStore
from bot.storage.locks import ChatLocks

T = TypeVar("T")

STORE_THREADS = 4  # reads run side by side; SQLite writes take turns on one connection
OVERALL = "*"  # the key of the bucket every chat shares (user keys are "telegram:<id>")


@dataclass(slots=True)
class LocalBegun:
    """A turn on a local store: the chat's `ChatLocks` entry is held by `begin`'s block, so
    `hold` has nothing to check and `delivered(release=True)` nothing to release."""

    owner: LocalAsyncStore
    user: str
    update_id: int | None
    seen: bool
    session: Session | None
    outbox: Outbox | None = None

    async def save(self, session: Session, outbox: Outbox | None = None) -> None:
        await self.owner.call(self.owner.store.save, session, self.update_id, outbox)

    async def delete(self, outbox: Outbox | None = None) -> None:
        await self.owner.call(self.owner.store.delete, self.user, self.update_id, outbox)

    async def hold(self) -> None:
        pass

    async def delivered(self, outbox: Outbox, release: bool = False) -> None:
        await self.owner.call(self.owner.store.delivered, self.user, outbox)

    async def restore(self, session: Session | None) -> None:
        await self.owner.call(self.owner.store.restore, self.user, session)


class LocalAsyncStore:
    """A synchronous store (SQLite, memory) for one process, with a lock per chat.

    `threads`: the size of the pool a blocking store (one with a true `blocking` attribute,
    as SqliteStore has) runs in; 0 calls it on the event loop. Send rates are paced in this
    process too (`Buckets`): one process is all there is.
    """

    transient_errors = TRANSIENT_ERRORS

    def __init__(self, store: SyncStore, threads: int = STORE_THREADS) -> None:
        self.store = store
        self.lock = ChatLocks()
        self.buckets = Buckets()
        self._pool: ThreadPoolExecutor | None = None
        if threads and getattr(store, "blocking", False):
            self._pool = ThreadPoolExecutor(threads, thread_name_prefix="zansai-store")

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)`, in the pool when the store may block."""
        if self._pool is None:
            return function(*args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    @asynccontextmanager
    async def begin(self, user: str, update_id: int | None) -> AsyncIterator[LocalBegun]:
        async with self.lock(user):
            seen, session, outbox = await self._open(user, update_id)
            if seen and outbox is None:
                session = None
            yield LocalBegun(self, user, update_id, seen, session, outbox)

    async def _open(
        self, user: str, update_id: int | None
    ) -> tuple[bool, Session | None, Outbox | None]:
        """The store's `open`; a blocking store's on the event loop when it says it need not
        wait (SqliteStore.open_now: a WAL read), saving the pool's hop, else in the pool."""
        open_now = getattr(self.store, "open_now", None) if self._pool is not None else None
        if open_now is not None and (opened := open_now(user, update_id)) is not None:
            return opened
        return await self.call(self.store.open, user, update_id)

    async def load(self, user: str) -> Session | None:
        return await self.call(self.store.load, user)

    async def save(self, session: Session, update_id: int | None = None) -> None:
        await self.call(self.store.save, session, update_id)

    async def seen(self, user: str, update_id: int) -> bool:
        return await self.call(self.store.seen, user, update_id)

    async def delete(self, user: str, update_id: int | None = None) -> None:
        await self.call(self.store.delete, user, update_id)

    async def pace(self, user: str, chat: Rate, overall: Rate) -> float:
        return self.buckets.reserve(time.monotonic(), [(user, chat), (OVERALL, overall)])

    async def ping(self) -> None:
        await self.call(self.store.load, "zansai:ping")

    async def close(self) -> None:
        try:
            await self.call(self.store.close)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=False)

"""A synchronous store (memory, SQLite) behind the async store protocol, for one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.core.session import Session
from bot.storage.base import TRANSIENT_ERRORS, SyncStore
from bot.storage.locks import ChatLocks


@dataclass(slots=True)
class LocalBegun:
    """A turn on a local store: the chat's `ChatLocks` entry is held by `begin`'s block."""

    store: SyncStore
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

    transient_errors = TRANSIENT_ERRORS

    def __init__(self, store: SyncStore) -> None:
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

"""Per-chat locks inside one process: one chat's turns run one after another, in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ChatLocks:
    """One asyncio.Lock per chat, dropped when nobody holds or waits for it (FIFO order)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def __call__(self, chat: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat]
            if users == 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)

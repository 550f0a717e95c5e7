"""Where sessions live between turns: one async protocol, one module per backend.

    memory.py   MemoryStore    a dict (tests)
    sqlite.py   SqliteStore    a WAL file, the embedded default (one process)
    redis_store RedisStore     shared by several webhook workers
    local.py    LocalAsyncStore: a synchronous store behind the async protocol, with locks

`open_store(url)` picks one from `ZANSAI_STORE`.
"""

from __future__ import annotations

import os

from bot.storage.base import (
    DEFAULT_TTL,
    AsyncStore,
    Begun,
    RetryLater,
    SyncStore,
)
from bot.storage.local import LocalAsyncStore
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore

__all__ = [
    "AsyncStore",
    "Begun",
    "LocalAsyncStore",
    "MemoryStore",
    "RetryLater",
    "SqliteStore",
    "SyncStore",
    "open_store",
    "session_ttl",
]


def session_ttl() -> int:
    """Seconds an idle session is kept: `ZANSAI_SESSION_TTL`, else 90 days."""
    return int(os.environ.get("ZANSAI_SESSION_TTL") or DEFAULT_TTL)


def open_store(url: str | None = None, ttl: int | None = None) -> AsyncStore:
    """`ZANSAI_STORE`: `sqlite:///path` (default: the embedded file) or `redis://host:port/db`.

    As in SQLAlchemy, `sqlite:///zansai.db` is relative and `sqlite:////var/lib/z.db` absolute.
    """
    url = url or os.environ.get("ZANSAI_STORE", "")
    ttl = ttl or session_ttl()
    if url.startswith(("redis://", "rediss://", "unix://")):
        try:
            from bot.storage.redis_store import RedisStore
        except ModuleNotFoundError as missing:
            if (missing.name or "").split(".")[0] != "redis":
                raise
            raise ValueError(
                "ZANSAI_STORE is a Redis URL but redis is not installed: "
                "pip install 'zansai[redis]'"
            ) from None

        return RedisStore(url, ttl=ttl, prefix=os.environ.get("ZANSAI_REDIS_PREFIX", "zansai:"))
    if url and not url.startswith("sqlite:///"):
        raise ValueError("ZANSAI_STORE must be sqlite:///PATH or redis://HOST:PORT/DB")
    path = url.removeprefix("sqlite:///")
    return LocalAsyncStore(SqliteStore(path or None, ttl=ttl))

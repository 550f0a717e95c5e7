"""Where sessions live between turns: in memory (tests) or SQLite (the embedded default).

Both keep the serialized form, so a session never survives a turn as a live object and
tests exercise the same round trip as production.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from bot.session import Session

DEFAULT_TTL = 90 * 24 * 3600  # sessions idle longer than this are deleted


class Store(Protocol):
    def load(self, user: str) -> Session | None: ...
    def save(self, session: Session) -> None: ...
    def delete(self, user: str) -> None: ...
    def close(self) -> None: ...


class MemoryStore:
    """A dict of serialized sessions; for tests and throwaway runs."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}

    def load(self, user: str) -> Session | None:
        text = self._data.get(user)
        return None if text is None else Session.loads(user, text)

    def save(self, session: Session) -> None:
        session.version += 1
        self._data[session.user] = session.dumps()

    def delete(self, user: str) -> None:
        self._data.pop(user, None)

    def close(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def default_db_path() -> Path:
    """`ZANSAI_DB`, else the per-user data folder (XDG_DATA_HOME or ~/.local/share)."""
    if env := os.environ.get("ZANSAI_DB"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "zansai" / "zansai.db"


class SqliteStore:
    """One row per user in a WAL-mode SQLite file; safe to share between threads."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS sessions (
            user TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            updated INTEGER NOT NULL
        ) WITHOUT ROWID
    """

    def __init__(self, path: str | Path | None = None, ttl: int = DEFAULT_TTL) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.ttl = ttl
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(self.SCHEMA)
        self.expire()

    def load(self, user: str) -> Session | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data, updated FROM sessions WHERE user = ?", (user,)
            ).fetchone()
        if row is None or row[1] < time.time() - self.ttl:
            return None
        return Session.loads(user, row[0])

    def save(self, session: Session) -> None:
        session.version += 1
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions (user, data, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(user) DO UPDATE SET data = excluded.data, updated = excluded.updated",
                (session.user, session.dumps(), int(time.time())),
            )

    def delete(self, user: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE user = ?", (user,))

    def expire(self) -> int:
        """Delete sessions idle longer than the TTL; returns how many went."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM sessions WHERE updated < ?", (int(time.time()) - self.ttl,)
            )
        return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()

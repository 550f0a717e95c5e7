"""Sessions in a SQLite file (WAL): the embedded default, for one process."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.core.session import Session
from bot.storage.base import DEFAULT_TTL, RECENT_UPDATES, UPDATE_TTL, Outbox

EXPIRE_EVERY = 3600  # a long-running SqliteStore deletes idle sessions this often
TOUCH_EVERY = 3600  # a row's `updated` is rewritten at most this often (see save)


def default_db_path() -> Path:
    """`ZANSAI_DB`, else the per-user data folder (XDG_DATA_HOME or ~/.local/share)."""
    if env := os.environ.get("ZANSAI_DB"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "zansai" / "zansai.db"


class SqliteStore:
    """One row per user in a WAL-mode SQLite file; safe to share between threads.

    Writes take turns on the store's own connection (`connection`); reads (`begin`) use one
    read-only connection per thread, so that in WAL mode a read goes on while a write waits
    for a lock another process holds. `blocking`: a call may wait up to the busy timeout
    (5 s), so `LocalAsyncStore` runs it off the event loop.

    A turn is one read and one write: the row holds the session and the ids of the chat's
    last RECENT_UPDATES applied updates (a JSON array), so that checking and marking an
    update cost nothing extra. /forget deletes the row, so its update id goes to `updates`,
    a small table kept UPDATE_TTL.

    The row also holds the chat's outbox (NULL once every reply was delivered), written by
    the same statement as the session. /forget with an outbox leaves a row with an empty
    session and that outbox, deleted (and checkpointed) once the outbox is delivered.
    """

    SCHEMA = (
        """CREATE TABLE IF NOT EXISTS sessions (
            user TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            updated INTEGER NOT NULL,
            recent TEXT NOT NULL DEFAULT '[]',
            outbox TEXT
        ) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS updates (
            update_id INTEGER PRIMARY KEY,
            expires INTEGER NOT NULL
        )""",
        # expire() finds old rows by these instead of reading every row
        "CREATE INDEX IF NOT EXISTS sessions_by_updated ON sessions (updated)",
        "CREATE INDEX IF NOT EXISTS updates_by_expiry ON updates (expires)",
    )
    # The session, whether the update was applied (in this chat's row, or forgotten with
    # it), in one statement that always returns a row.
    BEGIN = """
        SELECT s.data, s.updated, s.outbox,
            ?2 IS NOT NULL AND (
                EXISTS (SELECT 1 FROM json_each(s.recent) WHERE value = ?2)
                OR EXISTS (SELECT 1 FROM updates WHERE update_id = ?2 AND expires >= ?3))
        FROM (SELECT ?1 AS user) AS wanted LEFT JOIN sessions AS s ON s.user = wanted.user
    """
    # The chat's recent update ids with ?4 appended (the oldest dropped past RECENT_UPDATES).
    _RECENT_PLUS_NEW = f"""CASE
                WHEN ?4 IS NULL THEN recent
                WHEN json_array_length(recent) >= {RECENT_UPDATES}
                    THEN json_insert(json_remove(recent, '$[0]'), '$[#]', ?4)
                ELSE json_insert(recent, '$[#]', ?4)
            END"""
    # Most turns: the session and its update id, leaving `updated` (and so its index) alone
    # while it is recent enough (?3); a turn then writes one page instead of two.
    SAVE_RECENT = f"""
        UPDATE sessions SET data = ?2, recent = {_RECENT_PLUS_NEW},
            outbox = coalesce(?5, outbox)
        WHERE user = ?1 AND updated >= ?3
    """
    SAVE = f"""
        INSERT INTO sessions (user, data, updated, recent, outbox)
        VALUES (?1, ?2, ?3, CASE WHEN ?4 IS NULL THEN '[]' ELSE json_array(?4) END, ?5)
        ON CONFLICT (user) DO UPDATE SET
            data = excluded.data,
            updated = excluded.updated,
            recent = {_RECENT_PLUS_NEW},
            outbox = coalesce(excluded.outbox, outbox)
    """

    blocking = True

    def __init__(self, path: str | Path | None = None, ttl: int = DEFAULT_TTL) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.ttl = ttl
        # How stale `updated` may get: an idle session goes after ttl minus at most this.
        self._touch_every = min(TOUCH_EVERY, max(ttl, 0) // 24)
        self._lock = threading.Lock()
        self._local = threading.local()  # each thread's read connection
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()  # not `_lock`: a write may hold that for seconds
        self._trace: Callable[[str], object] | None = None
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten
        for statement in self.SCHEMA:
            self._db.execute(statement)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(sessions)")}
        if "recent" not in columns:  # a file from before update ids moved into the row
            self._db.execute("ALTER TABLE sessions ADD COLUMN recent TEXT NOT NULL DEFAULT '[]'")
        if "outbox" not in columns:  # a file from before replies were saved with the turn
            self._db.execute("ALTER TABLE sessions ADD COLUMN outbox TEXT")
        self.expire()

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's own connection, for what only it can show or change: its pragmas
        (journal mode, a fault to simulate) and the statements a turn runs."""
        return self._db

    def _reader(self, wait: bool = True) -> sqlite3.Connection | None:
        """This thread's read-only connection (None for `:memory:`, a database of its own);
        `wait=False`: its other one, which fails at once where the first would wait for a
        lock (see `open_now`)."""
        name = "db" if wait else "db_now"
        reader = getattr(self._local, name, None)
        if reader is None and str(self.path) != ":memory:":
            reader = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            reader.execute(f"PRAGMA busy_timeout={5000 if wait else 0}")
            reader.execute("PRAGMA query_only=ON")
            with self._readers_lock:
                self._readers.append(reader)
                reader.set_trace_callback(self._trace)
            setattr(self._local, name, reader)
        return reader

    def set_trace_callback(self, trace: Callable[[str], object] | None) -> None:
        """`sqlite3.Connection.set_trace_callback` on every connection, readers included."""
        with self._readers_lock:
            self._trace = trace
            for connection in (self._db, *self._readers):
                connection.set_trace_callback(trace)

    def begin(self, user: str, update_id: int | None) -> tuple[bool, Session | None]:
        seen, session, _ = self.open(user, update_id)
        return seen, None if seen else session

    def open(self, user: str, update_id: int | None) -> tuple[bool, Session | None, Outbox | None]:
        reader = self._reader()
        if reader is None:
            with self._lock:
                row = self._db.execute(self.BEGIN, _begin_arguments(user, update_id)).fetchone()
        else:
            row = self._read(reader, user, update_id)
        return self._opened(user, row)

    def open_now(
        self, user: str, update_id: int | None
    ) -> tuple[bool, Session | None, Outbox | None] | None:
        """`open` if it can be done without waiting, else None (nothing read).

        A read in WAL mode waits for no writer, ours or another process's, so it is cheap
        enough to do on the event loop; only a rare lock (a WAL being recovered or reset)
        would make it wait: then, and on any other SQLite error, None, and the caller
        runs `open` where it may wait (LocalAsyncStore: in its pool, a hop saved)."""
        reader = self._reader(wait=False)
        if reader is None:
            return None  # `:memory:`: read under the write lock, which may be held
        try:
            row = self._read(reader, user, update_id)
        except sqlite3.Error:
            return None
        return self._opened(user, row)

    def _read(self, reader: sqlite3.Connection, user: str, update_id: int | None) -> tuple:
        cursor = reader.execute(self.BEGIN, _begin_arguments(user, update_id))
        try:
            return cursor.fetchone()
        finally:
            cursor.close()  # ends the read transaction now (a checkpoint may wait on it)

    def _opened(
        self, user: str, row: tuple
    ) -> tuple[bool, Session | None, Outbox | None]:
        data, updated, outbox, seen = row
        if data is None or updated < time.time() - self.ttl:
            return bool(seen), None, None
        session = Session.loads(user, data) if data else None  # '': forgotten, outbox pending
        return bool(seen), session, Outbox.loads(outbox)

    def load(self, user: str) -> Session | None:
        return self.begin(user, None)[1]

    def save(
        self, session: Session, update_id: int | None = None, outbox: Outbox | None = None
    ) -> None:
        """One writing statement, so one transaction: the session, its update id and the
        turn's outbox together (without one, the chat's outbox is left as it is).

        SAVE_RECENT changes nothing when the row is new or its `updated` older than
        `_touch_every`; SAVE then writes the row whole. So `updated` and its index are
        rewritten about once an hour per chat, not every turn.
        """
        session.version += 1
        data, now = session.dumps(), int(time.time())
        kept = None if outbox is None or outbox.done else outbox.dumps()
        try:
            with self._lock:
                touched = (session.user, data, now - self._touch_every, update_id, kept)
                if not self._db.execute(self.SAVE_RECENT, touched).rowcount:
                    self._db.execute(self.SAVE, (session.user, data, now, update_id, kept))
        except BaseException:
            session.version -= 1
            raise
        if time.time() >= self._next_expiry:
            self.expire()

    def seen(self, user: str, update_id: int) -> bool:
        return self.begin(user, update_id)[0]

    def delete(self, user: str, update_id: int | None = None, outbox: Outbox | None = None) -> None:
        """/forget: the row goes; with an outbox, a row with no session holds it until it
        is delivered (`delivered` then deletes that row too)."""
        with self._lock:
            with self._transaction():
                self._db.execute("DELETE FROM sessions WHERE user = ?", (user,))
                if outbox is not None and not outbox.done:
                    self._db.execute(
                        "INSERT INTO sessions (user, data, updated, outbox) VALUES (?, '', ?, ?)",
                        (user, int(time.time()), outbox.dumps()),
                    )
                self._mark(update_id)
            # /forget: copy the zeroed pages into the file now and empty the WAL, so that no
            # older copy of the session stays on disk until the next automatic checkpoint.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def delivered(self, user: str, outbox: Outbox) -> None:
        """Record how many of the outbox's messages went out; all of them: drop it."""
        with self._lock:
            if not outbox.done:
                self._db.execute(
                    "UPDATE sessions SET outbox = ? WHERE user = ?", (outbox.dumps(), user)
                )
                return
            if self._db.execute(
                "DELETE FROM sessions WHERE user = ? AND data = ''", (user,)
            ).rowcount:  # a forgotten chat's last reply: nothing of it is left
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                self._db.execute("UPDATE sessions SET outbox = NULL WHERE user = ?", (user,))

    def restore(self, user: str, session: Session | None) -> None:
        """Put the session back as it was before a turn none of whose replies went out (its
        version too), without its outbox; None: the chat had none."""
        with self._lock:
            if session is None:
                self._db.execute("DELETE FROM sessions WHERE user = ?", (user,))
            else:
                self._db.execute(
                    "UPDATE sessions SET data = ?, outbox = NULL WHERE user = ?",
                    (session.dumps(), user),
                )

    def _mark(self, update_id: int | None) -> None:
        if update_id is not None:
            self._db.execute(
                "INSERT OR IGNORE INTO updates (update_id, expires) VALUES (?, ?)",
                (update_id, int(time.time()) + UPDATE_TTL),
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:  # SQLite already rolled back on a full disk, say
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def expire(self) -> int:
        """Delete sessions idle longer than the TTL and expired update ids; returns sessions."""
        now = int(time.time())
        self._next_expiry = now + EXPIRE_EVERY
        with self._lock:
            cursor = self._db.execute("DELETE FROM sessions WHERE updated < ?", (now - self.ttl,))
            self._db.execute("DELETE FROM updates WHERE expires < ?", (now,))
        return cursor.rowcount

    def close(self) -> None:
        with self._lock, self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._db.close()


def _begin_arguments(user: str, update_id: int | None) -> tuple[str, int | None, int]:
    """The parameters of `SqliteStore.BEGIN`: the user, the update, now."""
    return user, update_id, int(time.time())

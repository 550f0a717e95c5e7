"""Every store keeps sessions, applies an update once, serialises a chat and forgets on request.

The Redis tests need a server at 127.0.0.1:6379 (`.ci/run` starts one). Outside CI they are
skipped when none is running; in CI a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import types
import uuid

import pytest

from bot.core.events import Event
from bot.core.session import Session
from bot.storage import LocalAsyncStore, MemoryStore, SqliteStore, open_store
from bot.storage import sqlite as stores
from bot.storage.base import Outbox
from bot.turns import TurnRunner
from tests.support import ENGINE

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_running() and not os.environ.get("CI"), reason="no Redis at 127.0.0.1:6379"
)


@pytest.fixture(params=["memory", "sqlite", pytest.param("redis", marks=needs_redis)])
async def store(request, tmp_path):
    if request.param == "memory":
        made = LocalAsyncStore(MemoryStore())
    elif request.param == "sqlite":
        made = LocalAsyncStore(SqliteStore(tmp_path / "z.db"))
    else:
        from bot.storage.redis_store import RedisStore

        made = RedisStore(REDIS_URL, prefix=f"zansai-test-{uuid.uuid4().hex}:")
    yield made
    if request.param == "redis":
        keys = [k async for k in made.client.scan_iter(made.prefix + "*")]
        if keys:
            await made.client.delete(*keys)
    await made.close()


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def runner(store):
    return TurnRunner(ENGINE, store)


LINES = ["/lang ja", "@car_sale", "@lender", "@standard", "150万", "120万", "@yes", "@business"]


class Recorder:
    """A courier that keeps what it sends: one message per reply. `during(message)` runs
    before each send (to fail it, or to let another worker in), and `hold` is awaited after
    it, as a transport does right before its request."""

    def __init__(self, during=None) -> None:
        self.sent: list[str] = []
        self.during = during

    def render(self, turn) -> list[dict]:
        return [{"text": reply.text} for reply in turn.replies]

    async def send(self, message: dict, hold) -> None:
        if self.during is not None:
            await self.during(message)
        await hold()
        self.sent.append(message["text"])


async def test_a_retried_update_is_acknowledged_and_not_applied_again(runner):
    courier = Recorder()
    turns = []
    for update_id, line in enumerate(LINES[:5], start=1):
        turn = await runner.turn("c1", Event.parse(line), None, update_id, courier)
        assert turn
        turns.append(turn)
    assert await runner.turn("c1", Event.parse("150万"), None, 5, courier) is None
    assert await runner.turn("c1", Event.parse("@lender"), None, 3, courier) is None
    session = await runner.store.load("c1")
    assert session.state == "appraisal" and session.answers["balance"] == 1_500_000
    assert courier.sent == [reply.text for turn in turns for reply in turn.replies]


async def test_one_chats_updates_are_applied_one_after_another(runner):
    """Many updates for one chat at once: each is applied exactly once, none lost."""
    await runner.turn("c2", Event.parse("/lang ja"), None, 1)
    await runner.turn("c2", Event.parse("@car_sale"), None, 2)
    # 20 concurrent /summary-free turns that each add one history-neutral event, plus
    # duplicates: an unknown-owner info press leaves the state, so count versions instead.
    events = [(Event.button("unknown", "car_sale.owner"), 100 + i) for i in range(20)]
    events += events[:10]  # Telegram retries
    before = (await runner.store.load("c2")).version
    results = await asyncio.gather(
        *(runner.turn("c2", event, None, update_id) for event, update_id in events)
    )
    assert sum(r is not None for r in results) == 20
    assert (await runner.store.load("c2")).version == before + 20


async def test_forget_removes_the_session_and_counts_as_applied(runner, store):
    await runner.turn("c3", Event.parse("/lang zh"), None, 1)
    await runner.turn("c3", Event.parse("@car_sale"), None, 2)
    assert await runner.turn("c3", Event.command("forget"), None, 3)
    assert await store.load("c3") is None
    assert await store.seen("c3", 3)
    assert await runner.turn("c3", Event.command("forget"), None, 3) is None


async def test_sessions_round_trip(store):
    session = Session("c4", "zh", "car_sale", "balance", {"owner": "self"}, ["owner"], None, 0)
    await store.save(session)
    loaded = await store.load("c4")
    assert loaded == session and loaded.version == 1
    await store.ping()


@needs_redis
async def test_redis_refuses_a_lost_update():
    from bot.storage.redis_store import ConflictError, RedisStore

    store = RedisStore(REDIS_URL, prefix=f"zansai-test-{uuid.uuid4().hex}:")
    try:
        await store.save(Session("c5", "ja"))
        first, second = await store.load("c5"), await store.load("c5")
        first.lang = "zh"
        await store.save(first)
        second.lang = "ja"
        with pytest.raises(ConflictError):
            await store.save(second)
        assert (await store.load("c5")).lang == "zh"
    finally:
        await store.client.delete(store.prefix + "s:c5")
        await store.close()


@needs_redis
async def test_redis_sessions_expire():
    from bot.storage.redis_store import RedisStore

    store = RedisStore(REDIS_URL, ttl=100, prefix=f"zansai-test-{uuid.uuid4().hex}:")
    try:
        await store.save(Session("c6", "ja"))
        assert 0 < await store.client.ttl(store.prefix + "s:c6") <= 100
    finally:
        await store.client.delete(store.prefix + "s:c6")
        await store.close()


def test_open_store_reads_the_url(tmp_path, monkeypatch):
    local = open_store(f"sqlite:///{tmp_path}/a.db")
    assert isinstance(local, LocalAsyncStore) and local.store.path == tmp_path / "a.db"
    run(local.close())
    monkeypatch.setenv("ZANSAI_STORE", f"sqlite:///{tmp_path}/b.db")
    from_env = open_store()
    assert from_env.store.path == tmp_path / "b.db"
    run(from_env.close())
    with pytest.raises(ValueError):
        open_store("postgres://x")


class Unreachable(Exception):
    """The transport is down: the message may go later."""


def failing(times: int):
    """A `during` that fails the next `times` sends."""
    left = [times]

    async def during(message: dict) -> None:
        if left[0]:
            left[0] -= 1
            raise Unreachable

    return during


async def test_a_turn_whose_replies_cannot_be_delivered_is_kept_and_its_retry_delivers_them(
    runner, store
):
    """The turn is saved before its first reply goes out: a failed send loses nothing, and
    Telegram's retry of the update (at once: the chat is free, not locked for the lock's
    10 s) delivers the replies without applying the turn again."""
    await runner.turn("c7", Event.parse("/lang ja"), None, 1)
    courier = Recorder(failing(1))
    with pytest.raises(Unreachable):
        await runner.turn("c7", Event.parse("@car_sale"), None, 2, courier)
    assert await store.seen("c7", 2)
    applied = await store.load("c7")
    assert applied.flow == "car_sale" and courier.sent == []
    retried = await asyncio.wait_for(
        runner.turn("c7", Event.parse("@car_sale"), None, 2, courier), 2
    )
    assert retried is None  # acknowledged, not applied again...
    assert await store.load("c7") == applied
    offline = TurnRunner(ENGINE, LocalAsyncStore(MemoryStore()))
    await offline.turn("c7", Event.parse("/lang ja"))
    expected = await offline.turn("c7", Event.parse("@car_sale"))
    assert courier.sent == [reply.text for reply in expected.replies]  # ...but delivered
    assert await runner.turn("c7", Event.parse("@lender"), None, 3, courier)
    assert (await store.load("c7")).state == "loan_kind"


async def test_an_interrupted_delivery_resumes_after_the_last_reply_delivered(runner, store):
    """Two replies, the second fails: the chat's next update sends it (and only it) first,
    then its own replies; nothing is sent twice, nothing is lost, the order is kept."""
    reference = Recorder()
    offline = TurnRunner(ENGINE, LocalAsyncStore(MemoryStore()))
    for update_id, line in enumerate(["/lang ja", "@car_sale", "@lender"], start=1):
        await offline.turn("c13", Event.parse(line), None, update_id, reference)
    calls = [0]

    async def second_fails(message: dict) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise Unreachable

    courier = Recorder(second_fails)
    with pytest.raises(Unreachable):
        await runner.turn("c13", Event.parse("/lang ja"), None, 1, courier)
    assert len(reference.sent) > 2 and courier.sent == reference.sent[:1]
    await runner.turn("c13", Event.parse("@car_sale"), None, 2, courier)
    await runner.turn("c13", Event.parse("@lender"), None, 3, courier)
    assert courier.sent == reference.sent


class Refused(Exception):
    """Stands for a message the transport refuses for good."""


async def test_a_turn_none_of_whose_replies_can_ever_be_delivered_is_undone(runner, store):
    from bot.turns import Undeliverable

    await runner.turn("c14", Event.parse("/lang ja"), None, 1)
    before = await store.load("c14")

    async def refuse(message: dict) -> None:
        raise Undeliverable("sendMessage") from Refused()

    with pytest.raises(Undeliverable):
        await runner.turn("c14", Event.parse("@car_sale"), None, 2, Recorder(refuse))
    assert await store.load("c14") == before  # the user saw nothing of it: as if unsent
    courier = Recorder()
    assert await runner.turn("c14", Event.parse("@car_sale"), None, 3, courier)
    assert (await store.load("c14")).flow == "car_sale" and courier.sent


# -- Redis: the turn protocol across workers ---------------------------------------------------


@pytest.fixture
async def redis_workers():
    """Makes RedisStores on one fresh prefix: separate workers sharing one server."""
    from bot.storage.redis_store import BEGIN, DELETE, SAVE, UNLOCK, RedisStore

    prefix, made = f"zansai-test-{uuid.uuid4().hex}:", []

    async def make():
        made.append(RedisStore(REDIS_URL, prefix=prefix))
        for script in (BEGIN, SAVE, DELETE, UNLOCK):  # so that no turn counts a SCRIPT LOAD
            await made[-1].client.script_load(script)
        return made[-1]

    yield make
    if made:
        keys = [k async for k in made[0].client.scan_iter(prefix + "*")]
        if keys:
            await made[0].client.delete(*keys)
    for store in made:
        await store.close()


def count_commands(store) -> list[str]:
    """The commands `store` sends from now on, one per round trip (no pipelines are used)."""
    sent: list[str] = []
    real = store.client.execute_command

    async def counting(*args, **options):
        sent.append(args[0])
        return await real(*args, **options)

    store.client.execute_command = counting
    return sent


@needs_redis
async def test_a_redis_turn_takes_two_round_trips_and_a_duplicate_one(redis_workers):
    store = await redis_workers()
    runner = TurnRunner(ENGINE, store)
    sent = count_commands(store)
    lines = ["/lang ja", "@car_sale", "@lender", "/forget", "/lang zh", "@car_sale"]
    for update_id, line in enumerate(lines, start=1):
        sent.clear()
        assert await runner.turn("c8", Event.parse(line), None, update_id)
        assert sent == ["EVALSHA", "EVALSHA"], line  # lock+seen+load, save|delete+mark+unlock
        assert not await store.client.exists(store.prefix + "l:c8")
    sent.clear()
    assert await runner.turn("c8", Event.parse("@lender"), None, 6) is None
    assert sent == ["EVALSHA"]  # seen: the same script unlocks again

    sent.clear()
    with pytest.raises(Unreachable):
        await runner.turn("c8", Event.parse("@lender"), None, 7, Recorder(failing(1)))
    # lock+seen+load, save+outbox, unlock: the turn is kept with its outbox
    assert sent == ["EVALSHA", "EVALSHA", "EVALSHA"]
    assert not await store.client.exists(store.prefix + "l:c8")
    assert await store.seen("c8", 7)
    assert (await store.load("c8")).state == "loan_kind"


@needs_redis
async def test_a_redis_turn_with_replies_takes_a_round_trip_more_per_reply(redis_workers):
    """lock+seen+load, save+outbox (the lock kept), then per reply a delivered mark, the
    last one releasing the lock. (Pacing is the courier's business: none here.)"""
    from bot.storage.redis_store import DELIVERED, HOLD

    store = await redis_workers()
    for script in (HOLD, DELIVERED):
        await store.client.script_load(script)
    runner = TurnRunner(ENGINE, store)
    sent = count_commands(store)
    courier = Recorder()
    turn = await runner.turn("c15", Event.parse("/start"), "ja", 1, courier)
    assert sent == ["EVALSHA"] * (2 + len(turn.replies))
    assert not await store.client.exists(store.prefix + "l:c15")
    assert set(await store.client.hkeys(store.prefix + "s:c15")) == {"d", "v"}  # no outbox
    sent.clear()
    assert await runner.turn("c15", Event.parse("/start"), "ja", 1, courier) is None
    assert sent == ["EVALSHA"]


@needs_redis
async def test_two_redis_workers_apply_each_update_once(redis_workers):
    """Telegram retries an update to another worker while the first is still on it."""
    one, two = await redis_workers(), await redis_workers()
    first, second = TurnRunner(ENGINE, one), TurnRunner(ENGINE, two)
    await first.turn("c9", Event.parse("/lang ja"), None, 1)
    await first.turn("c9", Event.parse("@car_sale"), None, 2)
    before = (await one.load("c9")).version

    async def pause(message: dict) -> None:
        await asyncio.sleep(0.001)

    courier = Recorder(pause)
    updates = [(Event.button("unknown", "car_sale.owner"), 100 + i) for i in range(20)]
    results = await asyncio.gather(
        *(
            worker.turn("c9", event, None, update_id, courier)
            for event, update_id in updates
            for worker in (first, second)
        )
    )
    applied = [r for r in results if r is not None]
    assert len(applied) == 20
    assert len(courier.sent) == sum(len(turn.replies) for turn in applied)
    assert (await two.load("c9")).version == before + 20


async def two_workers_with_short_locks(chat, redis_workers, monkeypatch):
    """Two workers on one Redis; `chat` is at the owner question (updates 1 and 2), and a
    chat lock now expires after 100 ms. Returns worker one's store and both workers."""
    from bot.storage import redis_store

    one, two = await redis_workers(), await redis_workers()
    first, second = TurnRunner(ENGINE, one), TurnRunner(ENGINE, two)
    await first.turn(chat, Event.parse("/lang ja"), None, 1)
    await first.turn(chat, Event.parse("@car_sale"), None, 2)
    monkeypatch.setattr(redis_store, "LOCK_TTL_MS", 100)
    return one, first, second


@needs_redis
async def test_a_save_after_the_lock_expired_cannot_apply_the_update_again(redis_workers):
    """A worker's turn loaded the session, then its lock expired and another worker applied
    the same update (Telegram's retry). The first worker's save is refused, so the update
    counts once."""
    from bot.storage import redis_store

    one, two = await redis_workers(), await redis_workers()
    await TurnRunner(ENGINE, one).turn("c10", Event.parse("/lang ja"), None, 1)
    await TurnRunner(ENGINE, one).turn("c10", Event.parse("@car_sale"), None, 2)
    async with one.begin("c10", 3) as begun:
        session = begun.session
        await one.client.delete(begun.lock_key)  # expired
        assert await TurnRunner(ENGINE, two).turn("c10", Event.parse("@lender"), None, 3)
        ENGINE.handle(session, Event.parse("@lender"))
        with pytest.raises(redis_store.ConflictError):
            await begun.save(session)
    stored = await one.load("c10")
    assert stored.state == "loan_kind" and stored.history == ["owner"] and stored.version == 3
    assert not await one.client.exists(one.prefix + "l:c10")


@needs_redis
async def test_a_delivery_that_outlived_its_lock_stops_and_the_next_worker_finishes_it(
    redis_workers, monkeypatch
):
    """Worker one saved the turn, then stalls before its first reply until its lock
    expires; worker two gets Telegram's retry of the update, takes the lock and delivers
    the outbox. Worker one then finds its lock gone and stops: every reply once."""
    from bot.storage import redis_store

    one, first, second = await two_workers_with_short_locks("c10", redis_workers, monkeypatch)
    taken_over = Recorder()

    async def stall(message: dict) -> None:
        if not taken_over.sent:  # the retry waits out the lock, then delivers
            assert await second.turn("c10", Event.parse("@lender"), None, 3, taken_over) is None

    stalled = Recorder(stall)
    with pytest.raises(redis_store.LockLost):
        await first.turn("c10", Event.parse("@lender"), None, 3, stalled)
    session = await one.load("c10")
    assert session.state == "loan_kind" and session.history == ["owner"] and session.version == 3
    assert stalled.sent == [] and taken_over.sent
    assert not await one.client.exists(one.prefix + "l:c10")
    assert set(await one.client.hkeys(one.prefix + "s:c10")) <= {"d", "v", "t"}


@needs_redis
async def test_a_turn_that_outlived_its_lock_cannot_bring_back_a_forgotten_session(
    redis_workers, monkeypatch
):
    from bot.storage import redis_store

    one, _, second = await two_workers_with_short_locks("c11", redis_workers, monkeypatch)
    async with one.begin("c11", 3) as begun:
        session = begun.session
        await one.client.delete(begun.lock_key)  # expired
        assert await second.turn("c11", Event.command("forget"), None, 4)
        ENGINE.handle(session, Event.parse("@lender"))
        with pytest.raises(redis_store.ConflictError):
            await begun.save(session, Outbox([{"text": "x"}]))
    assert await one.load("c11") is None
    assert not await one.seen("c11", 3) and await one.seen("c11", 4)
    assert not await one.client.exists(one.prefix + "s:c11")


@needs_redis
async def test_a_chat_locked_by_another_worker_is_waited_for_then_given_up(
    redis_workers, monkeypatch
):
    from bot.storage import redis_store

    store = await redis_workers()
    runner = TurnRunner(ENGINE, store)
    lock = store.prefix + "l:c12"
    await store.client.set(lock, "another worker", px=10_000)
    monkeypatch.setattr(redis_store, "LOCK_WAIT_S", 0.2)
    with pytest.raises(redis_store.LockTimeout):
        await runner.turn("c12", Event.parse("/lang ja"), None, 1)
    assert await store.client.get(lock) == "another worker"
    assert not await store.seen("c12", 1) and await store.load("c12") is None

    async def release_soon():
        await asyncio.sleep(0.05)
        await store.client.delete(lock)

    releasing = asyncio.create_task(release_soon())
    assert await runner.turn("c12", Event.parse("/lang ja"), None, 1)
    await releasing
    assert (await store.load("c12")).lang == "ja"


# -- SQLite: update ids live in the chat's row ------------------------------------------


def test_a_sqlite_turn_is_one_read_and_one_write(tmp_path):
    store = SqliteStore(tmp_path / "z.db")
    runner = TurnRunner(ENGINE, LocalAsyncStore(store))
    statements: list[str] = []
    # every connection: reads run on a read-only connection per thread (issue 17)
    store.set_trace_callback(lambda sql: statements.append(sql.split()[0].upper()))

    async def turns():
        await runner.turn("c20", Event.parse("/lang ja"), None, 1)
        await runner.turn("c20", Event.parse("@car_sale"), None, 2)
        statements.clear()
        await runner.turn("c20", Event.parse("@lender"), None, 3)
        turn = list(statements)
        statements.clear()
        assert await runner.turn("c20", Event.parse("@lender"), None, 3) is None
        return turn, list(statements)

    turn, duplicate = run(turns())
    assert turn == ["SELECT", "UPDATE"]  # no BEGIN/COMMIT: one statement is one transaction
    assert duplicate == ["SELECT"]
    store.close()


def test_a_sqlite_turn_reads_on_the_event_loop_unless_the_read_would_wait(tmp_path):
    """`open_now` reads what `open` reads, without the pool's thread hop; when it cannot
    (None: a `:memory:` store, or an error such as a lock), the turn reads in the pool."""
    store = SqliteStore(tmp_path / "z.db")
    runner = TurnRunner(ENGINE, LocalAsyncStore(store))
    assert run(runner.turn("c21", Event.parse("/lang ja"), None, 1))
    assert store.open_now("c21", 1) == store.open("c21", 1)
    assert store.open_now("c21", 2) == store.open("c21", 2)
    assert store.open_now("nobody", None) == (False, None, None)
    assert SqliteStore(":memory:").open_now("c21", None) is None

    waited: list[str] = []
    opened = store.open
    store.open_now = lambda user, update_id: None  # type: ignore[method-assign]
    store.open = lambda user, update_id: waited.append(user) or opened(user, update_id)  # type: ignore[method-assign]
    assert run(runner.turn("c21", Event.parse("@car_sale"), None, 2))
    assert waited == ["c21"]
    assert store.load("c21").flow == "car_sale"
    assert run(runner.turn("c21", Event.parse("@car_sale"), None, 2)) is None  # seen, in the pool
    store.close()


def test_sqlite_rewrites_a_rows_updated_time_hourly_not_every_turn(tmp_path, monkeypatch):
    """`updated` (and its index) move once TOUCH_EVERY has passed, so most turns write one page;
    a new row and an old one get the time of their save."""

    now = [1_800_000_000.0]
    monkeypatch.setattr(stores, "time", types.SimpleNamespace(time=lambda: now[0]))
    store = SqliteStore(tmp_path / "z.db")

    def updated() -> int:
        row = store.connection.execute("SELECT updated FROM sessions WHERE user = 'c30'")
        return row.fetchone()[0]

    session = Session("c30", "ja")
    store.save(session, 1)
    assert updated() == 1_800_000_000
    now[0] += stores.TOUCH_EVERY - 1
    session.flow, session.state = "car_sale", "owner"
    store.save(session, 2)
    assert updated() == 1_800_000_000  # not rewritten within the hour...
    assert store.load("c30").state == "owner" and store.seen("c30", 2)  # ...the rest is
    now[0] += 2
    store.save(session, 3)
    assert updated() == 1_800_000_000 + stores.TOUCH_EVERY + 1
    assert store.seen("c30", 1) and store.seen("c30", 3)
    store.close()


def test_sqlite_remembers_each_chats_recent_update_ids_and_forgotten_chats_ids(tmp_path):
    from bot.storage.base import RECENT_UPDATES

    store = SqliteStore(tmp_path / "z.db")
    session = Session("c21", "ja")
    first = 1_000
    for update_id in range(first, first + RECENT_UPDATES + 5):
        store.save(session, update_id)
    newest = range(first + 5, first + RECENT_UPDATES + 5)
    assert all(store.seen("c21", i) for i in newest)
    assert not any(store.seen("c21", i) for i in range(first, first + 5))  # only the last 32
    assert not store.seen("c22", first + 10)  # another chat
    assert store.begin("c21", first + 10) == (True, None)
    seen, loaded = store.begin("c21", 5)
    assert not seen and loaded == session
    # /forget deletes the row; its update id is still known, also once the chat comes back.
    store.delete("c21", 2_000)
    store.save(Session("c21", "zh"), 2_001)
    assert store.seen("c21", 2_000) and store.seen("c21", 2_001)
    assert not store.seen("c21", first + 10)
    store.close()


def test_sqlite_opens_a_file_written_before_update_ids_moved_into_the_row(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TABLE sessions (user TEXT PRIMARY KEY, data TEXT NOT NULL, "
            "updated INTEGER NOT NULL) WITHOUT ROWID"
        )
        db.execute(
            "CREATE TABLE updates (update_id INTEGER PRIMARY KEY, expires INTEGER NOT NULL)"
        )
        old = Session("c23", "ja", "car_sale", "owner", version=4)
        db.execute("INSERT INTO sessions VALUES (?, ?, ?)", ("c23", old.dumps(), int(time.time())))
        db.execute("INSERT INTO updates VALUES (7, ?)", (int(time.time()) + 3600,))
        db.commit()
    store = SqliteStore(path)
    assert store.begin("c23", 7) == (True, None)  # applied before the upgrade
    assert store.begin("c23", 8) == (False, old)
    store.save(old, 8)
    assert store.seen("c23", 8) and store.load("c23").version == 5
    store.close()

"""Every store keeps sessions, applies an update once, serialises a chat and forgets on request.

The Redis tests need a server at 127.0.0.1:6379 (`.ci/run` starts one). Outside CI they are
skipped when none is running; in CI a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid

import pytest

from bot.aio import AsyncConversations, LocalAsyncStore, open_store
from bot.events import Event
from bot.session import Session
from bot.stores import MemoryStore, SqliteStore
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
        from bot.redis_store import RedisStore

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
def conversations(store):
    return AsyncConversations(ENGINE, store)


LINES = ["/lang ja", "@car_sale", "@lender", "@standard", "150万", "120万", "@yes", "@business"]


async def test_a_retried_update_is_acknowledged_and_not_applied_again(conversations):
    delivered = []

    async def deliver(replies):
        delivered.append(replies)

    for update_id, line in enumerate(LINES[:5], start=1):
        assert await conversations.turn("c1", Event.parse(line), None, update_id, deliver)
    assert await conversations.turn("c1", Event.parse("150万"), None, 5, deliver) is None
    assert await conversations.turn("c1", Event.parse("@lender"), None, 3, deliver) is None
    session = await conversations.session("c1")
    assert session.state == "appraisal" and session.answers["balance"] == 1_500_000
    assert len(delivered) == 5


async def test_one_chats_updates_are_applied_one_after_another(conversations):
    """Many updates for one chat at once: each is applied exactly once, none lost."""
    await conversations.turn("c2", Event.parse("/lang ja"), None, 1)
    await conversations.turn("c2", Event.parse("@car_sale"), None, 2)
    # 20 concurrent /summary-free turns that each add one history-neutral event, plus
    # duplicates: an unknown-owner info press leaves the state, so count versions instead.
    events = [(Event.button("unknown", "car_sale.owner"), 100 + i) for i in range(20)]
    events += events[:10]  # Telegram retries
    before = (await conversations.session("c2")).version
    results = await asyncio.gather(
        *(conversations.turn("c2", event, None, update_id) for event, update_id in events)
    )
    assert sum(r is not None for r in results) == 20
    assert (await conversations.session("c2")).version == before + 20


async def test_forget_removes_the_session_and_counts_as_applied(conversations, store):
    await conversations.turn("c3", Event.parse("/lang zh"), None, 1)
    await conversations.turn("c3", Event.parse("@car_sale"), None, 2)
    assert await conversations.turn("c3", Event.command("forget"), None, 3)
    assert await store.load("c3") is None
    assert await store.seen(3)
    assert await conversations.turn("c3", Event.command("forget"), None, 3) is None


async def test_sessions_round_trip(store):
    session = Session("c4", "zh", "car_sale", "balance", {"owner": "self"}, ["owner"], None, 0)
    await store.save(session)
    loaded = await store.load("c4")
    assert loaded == session and loaded.version == 1
    await store.ping()


@needs_redis
async def test_redis_refuses_a_lost_update():
    from bot.redis_store import ConflictError, RedisStore

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
    from bot.redis_store import RedisStore

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

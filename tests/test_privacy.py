"""Secrets and privacy: what the logs never show, what /forget deletes, what expires.

Full consultations (both flows, both languages, typed amounts in several spellings, free
text) run with logging at DEBUG through a real `zansai webhook` process and a real
`zansai polling` process (`ZANSAI_LOG_LEVEL=DEBUG`); every line they print is searched for
the token, its secret half, the webhook secret, the amounts as typed and as digits, the
free text, the user's name and id. /forget is checked in each store's raw data (and in
the SQLite files' bytes); idle sessions must disappear from SQLite and Redis by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import subprocess
import sys
import time
import types
from pathlib import Path

import httpx

from bot.core.events import Event
from bot.core.session import Session
from bot.storage import LocalAsyncStore, MemoryStore, SqliteStore
from bot.storage import sqlite as stores
from bot.storage.base import UPDATE_TTL
from bot.tools.fake_bot_api import FakeBotApi, User
from bot.turns import TurnRunner
from tests.support import ENGINE
from tests.test_faults import (
    LiveWebhook,
    deliver,
    make_update,
    needs_redis_server,
    offline,
    redis_server,  # noqa: F401  (a fixture)
    sent_texts,
)
from tests.test_webhook import ROOT, SECRET, Server

# What people type that must never reach a log: free text, and amounts in the spelling typed.
FREE_JA = "山田花子です。住所は東京都港区芝公園4-2-8、電話は090-1234-5678"
FREE_ZH = "我叫王小明，身份证号110101199003070011，住在北京市朝阳区"
NAME = "Hanako-Privacy"
AMOUNTS = {  # typed -> the same amount in digits, with and without separators
    "123万4567": "1234567",
    "７６５万４３２１円": "7654321",
    "3億": "300000000",
    "19万8765": "198765",
    "654321元": "654321",
    "2345678": "2345678",
    "三百四十五万六千七百八十九": "3456789",
}

SCRIPTS = {
    ("car_sale", "ja"): [
        ("text", "/start"), ("text", "車を売りたいです"), ("text", FREE_JA), ("button", "lender"),
        ("button", "standard"), ("text", "123万4567"), ("text", "3億"), ("button", "no"),
        ("text", "７６５万４３２１円"), ("button", "individual"), ("text", "/summary"),
        ("text", "/back"), ("button", "business"),
    ],
    ("card_overdue", "zh"): [
        ("text", "/start"), ("button", "card_overdue"), ("text", FREE_ZH), ("button", "gt3m"),
        ("text", "一部分"), ("text", "19万8765"), ("button", "once"), ("text", "/summary"),
    ],
    ("card_overdue", "ja"): [
        ("text", "/lang ja"), ("button", "card_overdue"), ("button", "m1to3"),
        ("button", "none"), ("text", "654321元"), ("text", "/summary"),
    ],
    ("car_sale", "zh"): [
        ("text", "/lang zh"), ("button", "car_sale"), ("text", FREE_ZH), ("button", "self"),
        ("button", "bank"), ("text", "2345678"), ("text", "三百四十五万六千七百八十九"),
        ("button", "business"), ("text", "/summary"),
    ],
}  # fmt: skip


def users(first_id: int) -> list[tuple[User, list[tuple[str, str]]]]:
    return [
        (User(first_id + i, "ja" if lang == "ja" else "zh-hans", NAME), script)
        for i, ((_, lang), script) in enumerate(SCRIPTS.items())
    ]


def forbidden(token: str, chats: list[tuple[User, list]]) -> list[str]:
    """Everything that must not be in any log line."""
    words = [token, token.partition(":")[2], SECRET, FREE_JA, FREE_ZH, NAME]
    words += ["山田", "王小明", "110101199003070011", "090-1234-5678", "港区"]
    for typed, digits in AMOUNTS.items():
        words += [typed, digits, f"{int(digits):,}"]
    words += [str(user.id) for user, _ in chats]
    return words


def check_logs(output: str, words: list[str]) -> None:
    assert output.strip(), "nothing was logged"
    for line in output.splitlines():
        for word in words:
            assert word not in line, f"{word!r} in log line {line!r}"


def check_replies(api: FakeBotApi, chats: list[tuple[User, list]]) -> None:
    """The consultations really ran (so the amounts and texts were really handled)."""
    for user, script in chats:
        expected = [text for turn in offline(user, script)[0] for text in turn]
        assert sent_texts(api, user.id) == expected


# -- logs --------------------------------------------------------------------------------


def test_the_webhook_at_debug_logs_no_secret_amount_free_text_or_user(tmp_path):
    chats = users(918_273_600)
    with FakeBotApi() as api:
        env = {"ZANSAI_STORE": f"sqlite:///{tmp_path}/z.db", "ZANSAI_LOG_LEVEL": "DEBUG"}
        server = Server(api, env).start()

        async def talk() -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                for user, script in chats:
                    for kind, value in script:
                        await deliver(client, make_update(api, user, kind, value))
                    await deliver(client, make_update(api, user, "text", "/forget"))
                # Something that fails, so the error path logs too.
                response = await client.post(
                    "/telegram",
                    json={"update_id": 999_999, "message": FREE_JA},
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert response.status_code == 400

        try:
            asyncio.run(talk())
        finally:
            assert server.stop() == 0
        output = server.output()
        check_replies_before_forget(api, chats)
    check_logs(output, forbidden(api.token, chats))
    assert " DEBUG zansai.webhook: update " in output  # DEBUG was really on
    assert output.count("outcome=") >= sum(len(s) for _, s in chats)


def check_replies_before_forget(api: FakeBotApi, chats: list[tuple[User, list]]) -> None:
    for user, script in chats:
        expected = [text for turn in offline(user, script)[0] for text in turn]
        assert sent_texts(api, user.id)[: len(expected)] == expected


def test_polling_at_debug_logs_no_secret_amount_free_text_or_user(tmp_path):
    chats = users(918_273_700)
    with FakeBotApi() as api:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "polling", "--db", str(tmp_path / "p.db")],
            env={
                "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token,
                "ZANSAI_TELEGRAM_BASE_URL": api.base_url, "ZANSAI_LOG_LEVEL": "DEBUG",
            },
            cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            for user, script in chats:
                turns = offline(user, script)[0]
                count = 0
                for (kind, value), replies in zip(script, turns, strict=True):
                    if kind == "text":
                        api.push_message(user, value)
                    else:
                        message = next(
                            m for m in reversed(api.bot_messages(user.id)) if m.get("reply_markup")
                        )
                        data = next(
                            b["callback_data"]
                            for row in message["reply_markup"]["inline_keyboard"]
                            for b in row
                            if b["callback_data"].endswith("|" + value)
                        )
                        api.push_press(user, message["message_id"], data)
                    count += len(replies)
                    wait_until(lambda c=count, u=user: len(sent_texts(api, u.id)) >= c, process)
            check_replies(api, chats)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            output = process.communicate(timeout=30)[0].decode(errors="replace")
    check_logs(output, forbidden(api.token, chats))
    assert " DEBUG asyncio: " in output  # DEBUG was really on
    assert output.count("outcome=") == sum(len(s) for _, s in chats)


def wait_until(condition, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the bot stopped"
        assert time.monotonic() < deadline, "the bot did not answer"
        time.sleep(0.01)


# -- /forget -------------------------------------------------------------------------------

PERSON = User(31_415_926, "ja", NAME)
OTHER = User(27_182_818, "zh-hans", "Other")


async def forget_after_a_consultation(api: FakeBotApi, hook: LiveWebhook) -> None:
    for user, script in ((PERSON, SCRIPTS["car_sale", "ja"]), (OTHER, SCRIPTS["car_sale", "zh"])):
        for kind, value in script:
            assert await hook.deliver(make_update(api, user, kind, value)) == 200
    assert await hook.deliver(make_update(api, PERSON, "text", "/forget")) == 200


def test_forget_leaves_no_trace_in_memory():
    store = MemoryStore()

    async def scenario() -> None:
        with FakeBotApi() as api:
            async with LiveWebhook(api, LocalAsyncStore(store)) as hook:
                await forget_after_a_consultation(api, hook)

    asyncio.run(scenario())
    dump = repr(store.serialized())
    assert str(PERSON.id) not in dump and str(OTHER.id) in dump
    assert store.load(f"telegram:{PERSON.id}") is None


def test_forget_leaves_no_trace_in_the_sqlite_tables_or_files(tmp_path):
    path = tmp_path / "z.db"
    store = SqliteStore(path)

    async def scenario() -> None:
        with FakeBotApi() as api:
            async with LiveWebhook(api, LocalAsyncStore(store)) as hook:
                await forget_after_a_consultation(api, hook)
                # Still running: the files as they are while the bot serves others.
                check_sqlite(path)

    asyncio.run(scenario())
    store.close()
    check_sqlite(path)


def check_sqlite(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        tables = [name for (name,) in db.execute(query)]
        rows = {table: db.execute(f"SELECT * FROM {table}").fetchall() for table in tables}
    assert set(tables) == {"sessions", "updates"}
    text = repr(rows)
    assert str(PERSON.id) not in text and str(OTHER.id) in text
    # Not even in freed pages or the write-ahead log: deleted rows are overwritten.
    for file in path.parent.glob(path.name + "*"):
        data = file.read_bytes()
        assert str(PERSON.id).encode() not in data, file.name
        assert b"1234567" not in data and b"7654321" not in data, file.name


@needs_redis_server
def test_forget_leaves_no_trace_in_redis(redis_server):  # noqa: F811
    from bot.storage.redis_store import RedisStore

    store = RedisStore(redis_server.url, prefix="zansai:")

    async def scenario() -> None:
        with FakeBotApi() as api:
            async with LiveWebhook(api, store) as hook:
                await forget_after_a_consultation(api, hook)
                keys = [k async for k in store.client.scan_iter("*")]
                assert not [k for k in keys if str(PERSON.id) in k]
                assert [k for k in keys if str(OTHER.id) in k] == [f"zansai:s:telegram:{OTHER.id}"]
                for key in keys:  # and in no value
                    kind = await store.client.type(key)
                    value = (
                        await store.client.hgetall(key) if kind == "hash"
                        else await store.client.get(key)
                    )
                    assert str(PERSON.id) not in repr(value)

    asyncio.run(scenario())


# -- expiry --------------------------------------------------------------------------------


def test_sqlite_deletes_idle_sessions_while_it_runs(tmp_path, monkeypatch):
    """Not only at start-up: a store that runs for months still forgets idle users."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(stores, "time", types.SimpleNamespace(time=lambda: now[0]))
    path = tmp_path / "z.db"
    ttl = 2 * stores.EXPIRE_EVERY
    store = SqliteStore(path, ttl=ttl)
    store.save(Session("idle", "ja", "car_sale", "balance", {"owner": "self"}, ["owner"]), 1)
    store.save(Session("active", "zh"), 2)
    now[0] += ttl - 10  # a save sweeps (an hour has passed), but "idle" is not old enough
    store.save(Session.loads("active", store.load("active").dumps()), 3)
    now[0] += stores.EXPIRE_EVERY  # "idle" is now past its lifetime, "active" is not
    assert store.load("idle") is None
    store.save(Session("newcomer", "ja"), 4)  # any save sweeps once EXPIRE_EVERY has passed
    with contextlib.closing(sqlite3.connect(path)) as db:
        users = sorted(user for (user,) in db.execute("SELECT user FROM sessions"))
    assert users == ["active", "newcomer"]
    now[0] += UPDATE_TTL + stores.EXPIRE_EVERY
    store.expire()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM updates").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)
    store.close()


@needs_redis_server
def test_redis_keys_all_expire_and_idle_sessions_vanish(redis_server):  # noqa: F811
    from bot.storage.redis_store import RedisStore

    async def scenario() -> None:
        store = RedisStore(redis_server.url, ttl=1, prefix="zansai:")
        runner = TurnRunner(ENGINE, store)
        try:
            for update_id, line in enumerate(["/lang ja", "@car_sale", "@lender"], start=1):
                await runner.turn("telegram:1", Event.parse(line), None, update_id)
            keys = [k async for k in store.client.scan_iter("*")]
            assert sorted(keys) == ["zansai:s:telegram:1", "zansai:u:1", "zansai:u:2", "zansai:u:3"]
            ttls = {key: await store.client.ttl(key) for key in keys}
            assert ttls["zansai:s:telegram:1"] == 1  # no key lives for ever
            assert all(0 < ttl <= UPDATE_TTL for ttl in ttls.values())
            await asyncio.sleep(1.3)
            assert await store.load("telegram:1") is None
            assert not await store.client.exists("zansai:s:telegram:1")
        finally:
            await store.close()

    asyncio.run(scenario())

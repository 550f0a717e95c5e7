"""`zansai webhook` end to end: real worker processes, the fake Bot API, SQLite and Redis.

Updates are POSTed the way Telegram does (secret header, retries on anything but 2xx);
the fake Bot API records what the bot sent. Each test checks that every update is applied
exactly once and in order, by comparing with the engine run on the same events offline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

from bot.tools.fake_bot_api import FakeBotApi, User
from tests.delivery import as_sent, explain, offline, redelivered, stored_session
from tests.test_stores import REDIS_URL, needs_redis

ROOT = Path(__file__).resolve().parent.parent
SECRET = "webhook-test-secret"

# What each chat says, as (kind, value): typed text or a button press by option id.
SCRIPT = [
    ("text", "/start"),
    ("button", "car_sale"),
    ("button", "lender"),
    ("button", "standard"),
    ("text", "150万"),
    ("text", "120万"),
    ("button", "yes"),
    ("button", "business"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`python -m bot.cli webhook` in its own process group, on a free port."""

    def __init__(self, api: FakeBotApi, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "ZANSAI_TELEGRAM_BASE_URL": api.base_url,
            "ZANSAI_WEBHOOK_SECRET": SECRET,
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: nobody reads the log while the server runs, and a full pipe
        # (64 KiB of INFO lines) would stop the workers mid-write.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)

    def start(self) -> Server:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "webhook",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.output()
            time.sleep(0.05)
        raise AssertionError("webhook server did not become ready:\n" + self.output())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        return self.process.wait(timeout=30)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def make_update(api: FakeBotApi, user: User, kind: str, value: str) -> dict:
    """The update Telegram would send: a message, or a press on the newest keyboard."""
    if kind == "text":
        return api.take_update(api.push_message(user, value))
    message = next(m for m in reversed(api.bot_messages(user.id)) if m.get("reply_markup"))
    data = next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].endswith("|" + value)
    )
    return api.take_update(api.push_press(user, message["message_id"], data))


async def post(client: httpx.AsyncClient, update: dict, secret: str = SECRET) -> int:
    """POST like Telegram: retry until a 2xx (bounded), return the final status."""
    for _ in range(100):
        try:
            response = await client.post(
                "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
        except httpx.TransportError:
            await asyncio.sleep(0.05)
            continue
        if response.status_code < 500:
            return response.status_code
        await asyncio.sleep(0.05)
    raise AssertionError("the webhook never accepted the update")


def sent_texts(api: FakeBotApi, user: User) -> list[str]:
    return [
        c.params["text"]
        for c in api.calls
        if c.method == "sendMessage" and c.params.get("chat_id") == user.id
    ]


def plain(text: str) -> str:
    import html

    return html.unescape(text)


async def converse(server: Server, api: FakeBotApi, users: list[User], duplicate: bool) -> None:
    """Every user runs SCRIPT at once; within a chat in order, each update maybe sent twice."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

        async def one(user: User) -> None:
            for kind, value in SCRIPT:
                update = make_update(api, user, kind, value)
                copies = 2 if duplicate else 1
                statuses = await asyncio.gather(*(post(client, update) for _ in range(copies)))
                assert statuses == [200] * copies

        await asyncio.gather(*(one(user) for user in users))


def assert_applied_once(api: FakeBotApi, people: list[User], store: str, where: str,
                        prefix: str = "zansai:") -> None:
    """Each chat's updates applied exactly once and in order: its session is the offline
    engine's, and what it was sent is each turn's replies in order, where a turn cut off
    while delivering (Telegram then retries it) may have sent a first part twice."""
    for user in people:
        turns, expected = offline(user, SCRIPT)
        observed = [plain(t) for t in sent_texts(api, user)]
        assert redelivered(observed, turns) is not None, explain(user, observed, turns)
        assert stored_session(store, where, user, prefix) == as_sent(expected, api, user)


def users(count: int, offset: int) -> list[User]:
    return [User(offset + i, "ja" if i % 2 else "zh-hans", f"U{i}") for i in range(count)]


def test_one_worker_with_sqlite_applies_each_update_once(tmp_path):
    with FakeBotApi() as api:
        server = Server(api, {"ZANSAI_STORE": f"sqlite:///{tmp_path}/z.db"}).start()
        try:
            people = users(6, 5000)
            asyncio.run(converse(server, api, people, duplicate=True))
            assert_applied_once(api, people, "sqlite", f"{tmp_path}/z.db")
        finally:
            assert server.stop() == 0


@needs_redis
def test_two_workers_on_redis_apply_interleaved_and_duplicated_updates_once_in_order():
    prefix = f"zansai-test-{uuid.uuid4().hex}:"
    with FakeBotApi() as api:
        server = Server(
            api, {"ZANSAI_STORE": REDIS_URL, "ZANSAI_REDIS_PREFIX": prefix}, workers=2
        ).start()
        try:
            people = users(24, 6000)
            asyncio.run(converse(server, api, people, duplicate=True))
            assert_applied_once(api, people, "redis", REDIS_URL, prefix)
        finally:
            assert server.stop() == 0
            _drop_keys(prefix)


def test_wrong_secret_changes_nothing(tmp_path):
    with FakeBotApi() as api:
        server = Server(api, {"ZANSAI_STORE": f"sqlite:///{tmp_path}/z.db"}).start()
        try:
            user = User(7001, "ja", "X")

            async def attempt() -> int:
                async with httpx.AsyncClient(base_url=server.url) as client:
                    update = make_update(api, user, "text", "/start")
                    return await post(client, update, secret="not-the-secret")

            assert asyncio.run(attempt()) == 403
            assert sent_texts(api, user) == []
        finally:
            server.stop()


@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=needs_redis)])
def test_sigterm_mid_load_loses_nothing_and_applies_nothing_twice(tmp_path, store):
    prefix = f"zansai-test-{uuid.uuid4().hex}:"
    env = (
        {"ZANSAI_STORE": f"sqlite:///{tmp_path}/z.db"}
        if store == "sqlite"
        else {"ZANSAI_STORE": REDIS_URL, "ZANSAI_REDIS_PREFIX": prefix}
    )
    with FakeBotApi() as api:
        server = Server(api, env, workers=1 if store == "sqlite" else 2).start()
        people = users(16, 8000 if store == "sqlite" else 9000)
        restarted: list[Server] = []

        async def load_with_a_restart() -> None:
            async def terminate_and_restart() -> None:
                await asyncio.sleep(0.3)
                code = await asyncio.to_thread(server.stop)
                assert code == 0, server.output()
                # Telegram keeps retrying (post() does) until a new server is up.
                again = Server(api, env, workers=server.workers)
                again.port = server.port
                restarted.append(await asyncio.to_thread(again.start))

            await asyncio.gather(
                converse(server, api, people, duplicate=False), terminate_and_restart()
            )

        try:
            asyncio.run(load_with_a_restart())
            if store == "sqlite":
                assert_applied_once(api, people, "sqlite", f"{tmp_path}/z.db")
            else:
                assert_applied_once(api, people, "redis", REDIS_URL, prefix)
        finally:
            for running in [server, *restarted]:
                running.stop()
            if store == "redis":
                _drop_keys(prefix)


def _drop_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_set_and_delete_webhook_talk_to_telegram_once(monkeypatch, capsys):
    from bot.cli import main

    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", api.token)
        monkeypatch.setenv("ZANSAI_TELEGRAM_BASE_URL", api.base_url)
        monkeypatch.setenv("ZANSAI_WEBHOOK_SECRET", SECRET)
        assert main(["set-webhook", "--webhook-url", "https://bot.example/telegram"]) == 0
        assert api.webhook["url"] == "https://bot.example/telegram"
        assert api.webhook["secret_token"] == SECRET
        assert api.webhook["allowed_updates"] == ["message", "edited_message", "callback_query"]
        assert main(["delete-webhook"]) == 0
        assert api.webhook is None
        monkeypatch.delenv("ZANSAI_WEBHOOK_SECRET")
        assert main(["set-webhook", "--webhook-url", "https://bot.example/telegram"]) == 2
        assert "secret" in capsys.readouterr().err


def test_several_workers_on_sqlite_are_refused(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "7012345678:AAF-zansaiFakeToken_ForTests_abcdefghij")
    monkeypatch.setenv("ZANSAI_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("ZANSAI_STORE", f"sqlite:///{tmp_path}/z.db")
    assert main(["webhook", "--workers", "2", "--port", str(free_port())]) == 2
    assert "redis://" in capsys.readouterr().err

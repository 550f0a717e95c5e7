"""Issue 17, the Bot API client on real networks: Happy Eyeballs when the first address
never answers, proxies from the environment (HTTP_PROXY / HTTPS_PROXY / ALL_PROXY, NO_PROXY),
PTB's public API only, and the uvicorn private API we lean on pinned by version."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram.request import HTTPXRequest

from bot.adapters.telegram_bot.client import KeepAliveRequest
from bot.adapters.telegram_bot.webhook import make_bot, proxy_for
from bot.tools.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def silent_listener(host: str, port: int) -> Iterator[None]:
    """An address that never answers a new connection: a listener whose accept queue is full
    (it never accepts), so the kernel drops further SYNs, as a broken IPv6 route does."""
    server = socket.socket()
    server.bind((host, port))
    server.listen(0)
    filler = socket.create_connection((host, port))  # takes the one place in the queue
    try:
        yield
    finally:
        filler.close()
        server.close()


async def test_happy_eyeballs_connects_to_the_next_address_when_the_first_never_answers(
    monkeypatch,
):
    with FakeBotApi() as api:
        port = int(re.search(r":(\d+)/", api.base_url).group(1))
        silent = "127.0.0.2"
        probe = socket.socket()
        probe.settimeout(0.5)
        with silent_listener(silent, port):
            try:  # the precondition: this address really swallows a new connection
                probe.connect((silent, port))
                pytest.skip("this kernel answers connections to a full accept queue")
            except TimeoutError:
                pass
            finally:
                probe.close()
            loop = asyncio.get_running_loop()
            real = loop.getaddrinfo

            async def two_addresses(host, port, *args, **kwargs):  # the silent one first
                if host != "api.example.test":
                    return await real(host, port, *args, **kwargs)
                tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
                return [(*tcp, (silent, port)), (*tcp, ("127.0.0.1", port))]

            monkeypatch.setattr(loop, "getaddrinfo", two_addresses)
            request = KeepAliveRequest(connection_pool_size=2, connect_timeout=20.0)
            base = f"http://api.example.test:{port}/bot"
            status, body = await request.do_request(f"{base}{api.token}/getMe", "POST")
            await request.shutdown()
    assert status == 200 and json.loads(body)["ok"] is True


class RecordingProxy:
    """An HTTP forward proxy that answers every request itself with a getMe result."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> RecordingProxy:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                self.requests.append(head.split("\r\n")[0])
                length = re.search(r"(?i)content-length: *(\d+)", head)
                if length:
                    await reader.readexactly(int(length.group(1)))
                body = json.dumps({"ok": True, "result": {
                    "id": 1, "is_bot": True, "first_name": "P", "username": "proxied_bot",
                }}).encode()  # fmt: skip
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        writer.close()


def clear_proxies(monkeypatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def test_http_proxy_from_the_environment_carries_the_bot_api_calls(monkeypatch):
    clear_proxies(monkeypatch)
    async with RecordingProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        base = "http://bot-api.invalid/bot"  # resolvable only by the proxy
        token = "7012345678:AAF-zansaiFakeToken_ForTests_abcdefghij"
        bot = make_bot(token, base, 4)
        assert isinstance(bot.request, HTTPXRequest)
        async with bot:
            assert (await bot.get_me()).username == "proxied_bot"
    assert proxy.requests and all(
        line.startswith("POST http://bot-api.invalid/bot") for line in proxy.requests
    )


async def test_no_proxy_sends_the_bot_api_calls_directly(monkeypatch):
    clear_proxies(monkeypatch)
    async with RecordingProxy() as proxy:
        with FakeBotApi() as api:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
            bot = make_bot(api.token, api.base_url, 4)
            assert isinstance(bot.request, KeepAliveRequest)
            async with bot:
                assert (await bot.get_me()).username != "proxied_bot"
    assert proxy.requests == []


def test_which_proxy_applies_to_which_url(monkeypatch):
    clear_proxies(monkeypatch)
    assert proxy_for("https://api.telegram.org/bot") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    assert proxy_for("https://api.telegram.org/bot") == "http://proxy:3128"
    assert proxy_for("http://127.0.0.1:8081/bot") is None  # HTTPS_PROXY is for https URLs
    monkeypatch.setenv("ALL_PROXY", "socks5://proxy:1080")
    assert proxy_for("http://127.0.0.1:8081/bot") == "socks5://proxy:1080"
    monkeypatch.setenv("NO_PROXY", ".telegram.org,127.0.0.1")
    assert proxy_for("https://api.telegram.org/bot") is None
    assert proxy_for("http://127.0.0.1:8081/bot") is None


def test_the_code_imports_only_ptbs_public_modules():
    private = []
    for path in (ROOT / "bot").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"\s*(from|import) telegram(\.\w+)*\._", line):
                private.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert private == []


def test_the_uvicorn_private_api_graceful_shutdown_uses_is_there_within_the_pinned_versions():
    """GracefulServer clears uvicorn's private `_captured_signals` so that SIGTERM exits 0;
    pyproject bounds uvicorn to the versions this was checked with."""
    import tomllib
    from importlib.metadata import version

    import uvicorn

    from bot.adapters.telegram_bot.webhook import GracefulServer

    server = GracefulServer(uvicorn.Config(app=None))
    with server.capture_signals():
        assert isinstance(server._captured_signals, list)
    requirement = next(
        r for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"]["webhook"] if r.startswith("uvicorn")
    )  # fmt: skip
    upper = tuple(int(n) for n in re.search(r"<([\d.]+)", requirement).group(1).split("."))
    assert tuple(int(n) for n in version("uvicorn").split(".")[:2]) < upper


def test_the_client_connects_under_uvloop_as_the_webhook_runs_it():
    """uvicorn runs the webhook's workers on uvloop, whose create_connection has no
    happy_eyeballs_delay: the client's own Happy Eyeballs must work there too."""
    uvloop = pytest.importorskip("uvloop")

    async def get_me() -> str:
        with FakeBotApi() as api:
            bot = make_bot(api.token, api.base_url, 4)
            async with bot:
                return (await bot.get_me()).username

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(get_me()) == "zansai_test_bot"

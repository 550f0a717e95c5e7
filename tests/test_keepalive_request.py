"""KeepAliveRequest, the keep-alive HTTP/1.1 client for the Bot API (bot/keepalive_request.py).

A real PTB `Bot` on it against the fake Bot API (which answers HTTP/1.0, one connection per
call), then a tiny raw asyncio server of this file for what the fake cannot show: reuse of
kept-alive connections, chunked bodies, servers that close or never answer, the pool limit,
and TLS with a trustme CA.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest
import trustme
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.adapters.telegram_bot.client import KeepAliveRequest
from bot.tools.fake_bot_api import BOT, TOKEN, FakeBotApi, User

JA = User(1001, "ja", "Taro")
GUARD = 10.0  # seconds: only so that a broken client fails a test instead of hanging it

# -- a tiny raw HTTP/1.1 server ----------------------------------------------------------


@dataclass
class Req:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int  # which accepted connection (1, 2, …) carried it

    @property
    def params(self) -> dict[str, str]:
        """The parameters' texts, from a JSON body (ours) or a form (httpx's)."""
        if self.headers.get("content-type") == "application/json":
            return json.loads(self.body)
        return dict(parse_qsl(self.body.decode()))


Handler = Callable[["Server", int, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def response(
    status: int = 200, body: bytes = b'{"ok":true,"result":true}', headers: tuple[str, ...] = ()
) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def api_result(req: Req) -> bytes:
    """What the Bot API would answer: getMe, an echoed sendMessage, else `true`."""
    method = req.target.rsplit("/", 1)[-1]
    result: Any = True
    if method == "getMe":
        result = BOT
    elif method in ("sendMessage", "sendDocument"):
        params = req.params
        result = {
            "message_id": len(params.get("text", "")) + 1,
            "date": 0,
            "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
            "text": params.get("text", ""),
        }
    return json.dumps({"ok": True, "result": result}).encode()


class Server:
    """Runs `handler(server, connection_number, reader, writer)` per accepted connection and
    counts connections (accepted, open now, most open at once) and requests."""

    def __init__(
        self,
        handler: Handler | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler or keep_alive
        self.ssl_context = ssl_context
        self.connections = 0
        self.open = 0
        self.max_open = 0
        self.requests: list[Req] = []
        self.release = asyncio.Event()  # handlers that hold a response wait for this
        self._none_open = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", 0, ssl=self.ssl_context
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    def url(self, method: str = "getMe", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/bot{TOKEN}/{method}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        self._none_open.clear()
        self._writers.add(writer)
        try:
            await self.handler(self, self.connections, reader, writer)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            self.open -= 1
            if not self.open:
                self._none_open.set()

    async def read(self, reader: asyncio.StreamReader, connection: int) -> Req | None:
        """The next request on a connection, or None when the client closed it."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        first, *lines = head.decode().rstrip("\r\n").split("\r\n")
        method, target, _ = first.split(" ")
        headers = dict(line.split(": ", 1) for line in lines)
        headers = {name.lower(): value for name, value in headers.items()}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        req = Req(method, target, headers, body, connection)
        self.requests.append(req)
        return req

    async def wait_none_open(self) -> None:
        await asyncio.wait_for(self._none_open.wait(), GUARD)


async def keep_alive(
    server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """A well-behaved keep-alive Bot API."""
    while (req := await server.read(reader, n)) is not None:
        writer.write(response(body=api_result(req)))
        await writer.drain()


async def keep_alive_once(
    server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    if await server.read(reader, n) is not None:
        writer.write(response())
        await writer.drain()


def request_data(**params: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def post(request: KeepAliveRequest, url: str, **kwargs: Any) -> tuple[int, bytes]:
    return await asyncio.wait_for(request.do_request(url, "POST", request_data(), **kwargs), GUARD)


@pytest.fixture
async def request_() -> Any:
    request = KeepAliveRequest(connection_pool_size=16)
    await request.initialize()
    yield request
    await request.shutdown()


# -- a real Bot against the fake Bot API --------------------------------------------------


async def test_bot_sends_a_message_and_answers_a_callback_query(fake_bot_api: FakeBotApi):
    api = fake_bot_api
    api.push_message(JA, "/start")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("はい", callback_data="car|yes")]])
    async with Bot(TOKEN, base_url=api.base_url, request=KeepAliveRequest()) as bot:
        sent = await bot.send_message(
            JA.id, "<b>残債</b> & 150万円?", parse_mode="HTML", reply_markup=markup
        )
        assert sent.text == "残債 & 150万円?"
        assert sent.reply_markup == markup
        assert api.calls_to("sendMessage")[-1].params["reply_markup"] == markup.to_dict()

        api.push_press(JA, sent.message_id, "car|yes")
        (query_id,) = api.unanswered_queries()
        assert await bot.answer_callback_query(query_id, text="OK") is True
        assert api.unanswered_queries() == []
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # a 400 with its body
            await bot.answer_callback_query(query_id)


async def test_many_concurrent_calls_against_the_fake_all_succeed(fake_bot_api: FakeBotApi):
    api = fake_bot_api
    api.push_message(JA, "hi")
    request = KeepAliveRequest(connection_pool_size=16)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as bot:
        texts = [f"message {i}" for i in range(200)]
        sent = await asyncio.gather(*(bot.send_message(JA.id, text) for text in texts))
    assert [message.text for message in sent] == texts
    assert sorted(c.params["text"] for c in api.calls_to("sendMessage")) == sorted(texts)


async def test_many_concurrent_calls_share_a_few_kept_alive_connections():
    async with Server() as server:
        request = KeepAliveRequest(connection_pool_size=16)
        async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:
            texts = [f"メッセージ {i}" for i in range(200)]
            sent = await asyncio.wait_for(
                asyncio.gather(*(bot.send_message(JA.id, text) for text in texts)), GUARD
            )
            assert [message.text for message in sent] == texts  # no answer went astray
            sent_again = await bot.send_message(JA.id, "again")
            assert sent_again.text == "again"
    assert len(server.requests) == 202  # getMe, 200, again
    assert server.max_open <= 16
    assert server.connections <= 16


async def test_a_4xx_answer_reaches_the_bot_as_its_telegram_error():
    async def refuse(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while (req := await server.read(reader, n)) is not None:
            if req.target.endswith("/getMe"):
                writer.write(response(body=api_result(req)))
            elif req.params.get("chat_id") == "1":
                writer.write(
                    response(
                        400,
                        b'{"ok":false,"error_code":400,'
                        b'"description":"Bad Request: chat not found"}',
                    )
                )
            else:
                writer.write(
                    response(
                        403,
                        b'{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked"}',
                    )
                )

    async with (
        Server(refuse) as server,
        Bot(TOKEN, base_url=server.base_url, request=KeepAliveRequest()) as bot,
    ):
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(1, "x")
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked"):
            await bot.send_message(2, "x")
    assert server.connections == 1  # error answers keep the connection alive too


# -- what goes on the wire ----------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {
            "chat_id": 1001,
            "text": "残債 150万円 & a=b+c %20 🚗",
            "parse_mode": "HTML",
            "reply_markup": InlineKeyboardMarkup(
                [[InlineKeyboardButton("はい", callback_data="a|b")]]
            ),
            "disable_notification": True,
        },
        {},
    ],
    ids=["form", "empty"],
)
async def test_requests_carry_the_same_body_and_headers_as_httpxrequest(params):
    async with Server() as server:
        httpx_request = HTTPXRequest()
        keepalive = KeepAliveRequest()
        async with httpx_request, keepalive:
            for request in (httpx_request, keepalive):
                status, _ = await request.do_request(
                    server.url("sendMessage"), "POST", request_data(**params)
                )
                assert status == 200
    ours, theirs = server.requests[1], server.requests[0]
    assert (ours.method, ours.target) == (theirs.method, theirs.target)
    for header in ("host", "user-agent"):
        assert ours.headers.get(header) == theirs.headers.get(header), header
    assert int(ours.headers.get("content-length", 0)) == len(ours.body)
    if not params:  # no parameters: no body, as httpx sends it
        assert ours.body == theirs.body == b""
        return
    # The same parameters, as one JSON object of the form's texts (the Bot API reads a JSON
    # string value as it reads a form value).
    assert ours.headers["content-type"] == "application/json"
    assert theirs.headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(parse_qsl(theirs.body.decode(), keep_blank_values=True))
    assert json.loads(ours.body) == form
    assert json.loads(form["reply_markup"])["inline_keyboard"][0][0]["text"] == "はい"


async def test_get_sends_no_body_and_returns_the_payload(request_):
    async with Server() as server:
        payload = await asyncio.wait_for(request_.retrieve(server.url("getMe")), GUARD)
    assert json.loads(payload)["result"] == BOT
    (req,) = server.requests
    assert (req.method, req.body) == ("GET", b"")
    assert "content-length" not in req.headers


async def test_uploads_go_through_httpx_and_still_work():
    async with (
        Server() as server,
        Bot(TOKEN, base_url=server.base_url, request=KeepAliveRequest()) as bot,
    ):
        await bot.send_document(JA.id, document=b"%PDF-1.4 ...", filename="a.pdf")
    upload = server.requests[-1]
    assert upload.target.endswith("/sendDocument")
    assert upload.headers["content-type"].startswith("multipart/form-data")


# -- framing and connection reuse ---------------------------------------------------------


async def test_a_chunked_body_is_read_whole_and_the_connection_reused(request_):
    async def chunked(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while await server.read(reader, n) is not None:
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for part in (b'{"ok":true,', b'"result":', b'"chunked"}'):
                writer.write(b"%x\r\n%s\r\n" % (len(part), part))
                await writer.drain()
            writer.write(b"0\r\n\r\n")

    async with Server(chunked) as server:
        for _ in range(2):
            assert await post(request_, server.url()) == (200, b'{"ok":true,"result":"chunked"}')
    assert server.connections == 1


async def test_connection_close_from_the_server_is_not_reused(request_):
    async def close_each(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if await server.read(reader, n) is not None:
            writer.write(response(headers=("Connection: close",)))
            await writer.drain()
            await reader.read()  # until the client closes

    async with Server(close_each) as server:
        for _ in range(3):
            assert (await post(request_, server.url()))[0] == 200
    assert server.connections == 3


async def test_a_body_delimited_by_eof_is_read_whole(request_):
    async def http10(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if await server.read(reader, n) is not None:
            writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b'{"ok":true,')
            await writer.drain()
            writer.write(b'"result":1}')
            writer.close()

    async with Server(http10) as server:
        assert await post(request_, server.url()) == (200, b'{"ok":true,"result":1}')
        assert await post(request_, server.url()) == (200, b'{"ok":true,"result":1}')
    assert server.connections == 2


async def test_a_server_closing_an_idle_connection_costs_nothing(request_):
    async def close_after_one(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if await server.read(reader, n) is not None:
            writer.write(response())  # kept alive, as far as the client can tell…
            await writer.drain()
            writer.close()  # …but closed at once

    async with Server(close_after_one) as server:
        for _ in range(3):
            assert (await post(request_, server.url()))[0] == 200
    assert server.connections == 3


async def test_a_reused_connection_closed_before_any_answer_is_retried_once(request_):
    async def drop_the_second(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if await server.read(reader, n) is not None:
            writer.write(response())
            await writer.drain()
            await server.read(reader, n)  # the next request arrives; close without answering

    async with Server(drop_the_second) as server:
        for _ in range(2):
            assert (await post(request_, server.url()))[0] == 200
    assert [req.connection for req in server.requests] == [1, 1, 2]


async def test_the_retry_happens_once_only(request_):
    async def drop_reused_and_second(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if n == 1 and await server.read(reader, n) is not None:
            writer.write(response())
            await writer.drain()
        await server.read(reader, n)  # then close without answering

    async with Server(drop_reused_and_second) as server:
        assert (await post(request_, server.url()))[0] == 200
        with pytest.raises(NetworkError, match="before the response"):
            await post(request_, server.url())
    assert [req.connection for req in server.requests] == [1, 1, 2]


async def test_a_new_connection_closed_before_any_answer_is_not_retried(request_):
    async def drop(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await server.read(reader, n)

    async with Server(drop) as server:
        with pytest.raises(NetworkError):
            await post(request_, server.url())
    assert server.connections == 1
    assert len(server.requests) == 1


async def test_a_connection_closed_mid_response_is_an_error_and_not_retried(request_):
    async def cut(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await keep_alive_once(server, n, reader, writer)
        if await server.read(reader, n) is not None:
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"ok":')
            await writer.drain()

    async with Server(cut) as server:
        assert (await post(request_, server.url()))[0] == 200
        with pytest.raises(NetworkError, match="mid-response"):
            await post(request_, server.url())
    assert server.connections == 1
    assert len(server.requests) == 2


async def test_bytes_nobody_asked_for_retire_the_connection(request_):
    async def answer_twice(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while (req := await server.read(reader, n)) is not None:
            extra = response(body=b'{"ok":true,"result":"extra"}') if n == 1 else b""
            writer.write(response(body=api_result(req)) + extra)
            await writer.drain()

    async with Server(answer_twice) as server:
        for _ in range(2):
            status, payload = await post(request_, server.url("logOut"))
            assert (status, json.loads(payload)) == (200, {"ok": True, "result": True})
    assert server.connections == 2


@pytest.mark.parametrize(
    "answer",
    [
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    ],
    ids=["not http", "upgrade"],
)
async def test_a_garbled_response_is_a_network_error(request_, answer):
    async def garble(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if await server.read(reader, n) is not None:
            writer.write(answer)
            await reader.read()

    async with Server(garble) as server:
        with pytest.raises(NetworkError, match="bad response"):
            await post(request_, server.url())


# -- timeouts and errors ------------------------------------------------------------------


async def silent_first(
    server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """The first connection never answers; later ones do."""
    if n == 1:
        await server.read(reader, n)
        await reader.read()  # until the client gives up and closes
    else:
        await keep_alive(server, n, reader, writer)


async def test_a_server_that_never_answers_times_out_and_its_connection_is_dropped():
    async with Server(silent_first) as server, KeepAliveRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await post(request, server.url())
        assert (await post(request, server.url()))[0] == 200
    assert server.connections == 2


async def test_a_per_call_read_timeout_overrides_no_default_limit():
    async with Server(silent_first) as server, KeepAliveRequest(read_timeout=None) as request:
        assert request.read_timeout is None
        with pytest.raises(TimedOut):
            await post(request, server.url(), read_timeout=0.1)


async def test_no_read_timeout_per_call_waits_past_the_default():
    async with Server(hold_first) as server, KeepAliveRequest(read_timeout=0.05) as request:
        call = asyncio.create_task(post(request, server.url(), read_timeout=None))
        await asyncio.sleep(0.3)  # six default read timeouts
        server.release.set()
        assert (await call)[0] == 200


async def test_the_read_timeout_counts_from_the_last_byte():
    async def trickle(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if await server.read(reader, n) is not None:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n")
            for byte in b"trickl":
                await asyncio.sleep(0.1)  # well under the read timeout, twice over it in all
                writer.write(bytes([byte]))
                await writer.drain()
            await reader.read()

    async with Server(trickle) as server, KeepAliveRequest(read_timeout=0.3) as request:
        assert await post(request, server.url()) == (200, b"trickl")


async def test_a_write_that_cannot_finish_times_out():
    async def never_read(
        server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await server.release.wait()

    async with Server(never_read) as server:
        request = KeepAliveRequest(write_timeout=0.2, read_timeout=None)
        async with request:
            data = request_data(text="x" * 64_000_000)  # more than any socket buffer holds
            with pytest.raises(TimedOut, match="write"):
                await asyncio.wait_for(
                    request.do_request(server.url("sendMessage"), "POST", data), GUARD
                )
        server.release.set()


async def test_connection_refused_is_a_network_error(request_):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens there once it is closed
    with pytest.raises(NetworkError) as caught:
        await post(request_, f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    assert not isinstance(caught.value, TimedOut)
    assert TOKEN not in str(caught.value)


async def test_an_unsupported_scheme_is_a_network_error(request_):
    with pytest.raises(NetworkError, match="scheme"):
        await post(request_, f"ftp://127.0.0.1/bot{TOKEN}/getMe")


# -- the pool -----------------------------------------------------------------------------


async def hold_first(
    server: Server, n: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Keep-alive, but the first request is answered only once `server.release` is set."""
    while (req := await server.read(reader, n)) is not None:
        if len(server.requests) == 1:
            await server.release.wait()
        writer.write(response(body=api_result(req)))
        await writer.drain()


async def test_a_full_pool_makes_a_caller_wait_then_time_out_unsent():
    async with (
        Server(hold_first) as server,
        KeepAliveRequest(connection_pool_size=1, pool_timeout=0.1) as request,
    ):
        first = asyncio.create_task(post(request, server.url()))
        while not server.requests:
            await asyncio.sleep(0.01)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await post(request, server.url())
        server.release.set()
        assert (await first)[0] == 200
        assert (await post(request, server.url()))[0] == 200
    assert len(server.requests) == 2
    assert server.connections == 1


async def test_the_pool_never_opens_more_than_its_size():
    async with Server() as server, KeepAliveRequest(connection_pool_size=3) as request:
        results = await asyncio.gather(*(post(request, server.url()) for _ in range(50)))
    assert all(status == 200 for status, _ in results)
    assert server.max_open <= 3
    assert len(server.requests) == 50


async def test_one_slot_is_shared_between_two_servers():
    async with (
        Server() as one,
        Server() as two,
        KeepAliveRequest(connection_pool_size=1) as request,
    ):
        for _ in range(2):  # sequential: the idle connection to the other one is closed
            assert (await post(request, one.url()))[0] == 200
            assert (await post(request, two.url()))[0] == 200
        calls = [post(request, server.url()) for _ in range(10) for server in (one, two)]
        results = await asyncio.gather(*calls)  # concurrent: handed over between them
    assert all(status == 200 for status, _ in results)
    assert len(one.requests) == len(two.requests) == 12
    assert one.max_open + two.max_open <= 2  # at most one each, never both at the same time


async def test_a_cancelled_call_gives_its_connection_slot_back():
    async with (
        Server(silent_first) as server,
        KeepAliveRequest(connection_pool_size=1, pool_timeout=GUARD) as request,
    ):
        stuck = asyncio.create_task(post(request, server.url()))
        waiting = asyncio.create_task(post(request, server.url()))
        while not server.requests:
            await asyncio.sleep(0.01)
        waiting.cancel()  # cancelled while waiting for the pool
        stuck.cancel()  # cancelled while waiting for the answer
        for task in (stuck, waiting):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert (await post(request, server.url()))[0] == 200
    assert server.connections == 2


async def test_a_connection_handed_to_a_cancelled_waiter_goes_back_to_the_pool():
    async with Server(hold_first) as server:
        request = KeepAliveRequest(connection_pool_size=1, pool_timeout=GUARD)
        await request.initialize()
        waiters: list[asyncio.Task] = []

        async def queue_a_second_call() -> None:
            while not server.requests:
                await asyncio.sleep(0.01)
            call = request.do_request(server.url(), "POST", request_data())
            waiters.append(asyncio.create_task(call))  # no wait_for: it would add a task
            for _ in range(5):
                await asyncio.sleep(0)  # it is now waiting for the pool's only connection
            server.release.set()

        helper = asyncio.create_task(queue_a_second_call())
        # Awaited here, not in a task: when it returns, its connection was just handed to the
        # waiting call, which has not run yet; cancelling it now must give the connection back.
        status, _ = await request.do_request(server.url(), "POST", request_data())
        waiters[0].cancel()
        assert status == 200
        await helper
        with pytest.raises(asyncio.CancelledError):
            await waiters[0]
        assert (await post(request, server.url()))[0] == 200
        await request.shutdown()
    assert server.connections == 1
    assert len(server.requests) == 2


async def test_idle_connections_past_keepalive_expiry_are_not_reused():
    async with Server() as server, KeepAliveRequest(keepalive_expiry=0.0) as request:
        for _ in range(3):
            assert (await post(request, server.url()))[0] == 200
            await asyncio.sleep(0.01)
    assert server.connections == 3


# -- life cycle ---------------------------------------------------------------------------


async def test_shutdown_closes_every_connection_and_initialize_reopens():
    async with Server(hold_first) as server:
        request = KeepAliveRequest()
        await request.initialize()
        await request.initialize()  # PTB may call it twice
        busy = asyncio.create_task(post(request, server.url()))
        while not server.requests:
            await asyncio.sleep(0.01)
        assert (await post(request, server.url()))[0] == 200  # a second, idle connection
        assert server.open == 2

        await request.shutdown()
        with pytest.raises(NetworkError):
            await busy
        server.release.set()  # the held answer goes nowhere; the server then sees the EOF
        await server.wait_none_open()
        with pytest.raises(RuntimeError):
            await post(request, server.url())
        await request.shutdown()  # twice is harmless

        await request.initialize()
        assert (await post(request, server.url()))[0] == 200
        await request.shutdown()
    assert server.connections == 3


# -- TLS ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_server(cert: trustme.LeafCert) -> Server:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return Server(ssl_context=context)


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


async def test_https_with_a_trusted_certificate_works_and_keeps_alive(ca):
    async with (
        tls_server(ca.issue_cert("127.0.0.1")) as server,
        KeepAliveRequest(ssl_context=trusting(ca)) as request,
    ):
        for _ in range(3):
            status, payload = await post(request, server.url(scheme="https"))
            assert (status, json.loads(payload)["result"]) == (200, BOT)
    assert server.connections == 1


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
async def test_https_trusts_the_cas_named_in_the_environment_as_httpx_does(
    ca, variable, tmp_path, monkeypatch
):
    """A company CA or a TLS-inspecting proxy is configured this way; httpx honours it."""
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    if variable == "SSL_CERT_DIR":  # OpenSSL looks a CA up there by its subject hash
        name = subprocess.run(
            ["openssl", "x509", "-hash", "-noout", "-in", str(pem)],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        pem.rename(tmp_path / f"{name}.0")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv(variable, str(pem if variable == "SSL_CERT_FILE" else tmp_path))
    async with (
        tls_server(ca.issue_cert("127.0.0.1")) as server,
        KeepAliveRequest() as request,
    ):
        status, _ = await post(request, server.url(scheme="https"))
    assert status == 200


@pytest.mark.parametrize("case", ["default context", "other CA", "wrong name"])
async def test_https_refuses_a_certificate_it_cannot_verify(ca, case):
    cert = ca.issue_cert("bot.example.org" if case == "wrong name" else "127.0.0.1")
    context = {
        "default context": None,
        "other CA": trusting(trustme.CA()),
        "wrong name": trusting(ca),
    }[case]
    async with tls_server(cert) as server, KeepAliveRequest(ssl_context=context) as request:
        with pytest.raises(NetworkError, match="SSLCertVerificationError") as caught:
            await post(request, server.url(scheme="https"))
    assert not isinstance(caught.value, TimedOut)
    assert not server.requests

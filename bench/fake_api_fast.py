"""A fast fake Telegram Bot API for load tests: raw asyncio + httptools (+ uvloop), one process.

    python -m bench.fake_api_fast --port 0 --token TOKEN     # prints "port N" when listening

Unlike `tests/fake_bot_api.py` (threads, full checks, a record of every call), this answers
every method at once with canned valid JSON and only counts:

- sendMessage / editMessageText: a Message echoing chat_id, text and reply_markup (as
  Telegram does; PTB parses it into a Message);
- answerCallbackQuery, setWebhook, deleteWebhook, setMyCommands and anything else: true;
- getMe: the bot; getWebhookInfo: no webhook.

`GET /stats` answers {"sendMessage": n, "calls": {method: n}, "chats": distinct chats,
"max_per_chat": n, "last_send": monotonic seconds of the last sendMessage}; `GET
/stats/chats` adds the per-chat sendMessage counts. HTTP/1.1 keep-alive; no TLS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections import Counter
from urllib.parse import parse_qsl

import httptools

# Shaped like a real token (the adapter checks TOKEN_FORMAT); only the fakes ever see it.
TOKEN = "7012345678:AAF-zansaiBenchToken_abcdefghijklmnop"
BOT_USER = {
    "id": 7012345678,
    "is_bot": True,
    "first_name": "Zansai",
    "username": "zansai_bench_bot",
}
GET_ME = {
    **BOT_USER,
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
DATE = 1_760_000_000
_BOT = json.dumps(BOT_USER, separators=(",", ":"))
GET_ME_BODY = json.dumps({"ok": True, "result": GET_ME}).encode()
TRUE_BODY = b'{"ok":true,"result":true}'
WEBHOOK_INFO_BODY = json.dumps(
    {"ok": True, "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0}}
).encode()


# Bot API method names are case-insensitive; the fakes (this one and tests/fake_bot_api.py)
# count and log them as the Bot API documents them.
METHODS = {
    name.lower(): name
    for name in (
        "getMe",
        "getUpdates",
        "getWebhookInfo",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
        "getMyCommands",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
    )
}


def canonical_method(name: str) -> str:
    return METHODS.get(name.lower(), name)


def message_body(message_id: int, chat_id: str | int, text: str, markup: str | None) -> bytes:
    """A Bot API `{"ok": true, "result": Message}` as Telegram answers sendMessage/edit*."""
    extra = f',"reply_markup":{markup}' if markup else ""
    return (
        f'{{"ok":true,"result":{{"message_id":{message_id},"from":{_BOT},'
        f'"chat":{{"id":{chat_id},"type":"private","first_name":"U"}},"date":{DATE},'
        f'"text":{json.dumps(text, ensure_ascii=False)}{extra}}}}}'
    ).encode()


class State:
    def __init__(self, token: str) -> None:
        self.prefix = f"/bot{token}/".encode()
        self.calls: Counter[str] = Counter()
        self.per_chat: Counter[str] = Counter()
        self.sends = 0
        self.last_send = 0.0
        self.message_ids = 0

    def stats(self, chats: bool = False) -> bytes:
        data = {
            "sendMessage": self.sends,
            "calls": dict(self.calls),
            "chats": len(self.per_chat),
            "max_per_chat": max(self.per_chat.values(), default=0),
            "last_send": self.last_send,
            "pid": os.getpid(),
        }
        if chats:
            data["per_chat"] = dict(self.per_chat)
        return json.dumps(data).encode()

    def answer(self, path: bytes, body: bytes, content_type: bytes) -> tuple[int, bytes]:
        if not path.startswith(self.prefix):
            if path == b"/stats":
                return 200, self.stats()
            if path == b"/stats/chats":
                return 200, self.stats(chats=True)
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        method = canonical_method(path[len(self.prefix) :].split(b"?", 1)[0].decode())
        self.calls[method] += 1
        if method in ("sendMessage", "editMessageText"):
            if content_type.startswith(b"application/json"):
                params = {
                    k: v if isinstance(v, str) else json.dumps(v)
                    for k, v in json.loads(body or b"{}").items()
                }
            else:
                params = dict(parse_qsl(body.decode(), keep_blank_values=True))
            chat_id = params.get("chat_id", "0")
            if method == "sendMessage":
                self.sends += 1
                self.per_chat[chat_id] += 1
                self.last_send = time.monotonic()
            self.message_ids += 1
            return 200, message_body(
                self.message_ids,
                int(chat_id) if chat_id.lstrip("-").isdigit() else 0,
                params.get("text", ""),
                params.get("reply_markup"),
            )
        if method == "getMe":
            return 200, GET_ME_BODY
        if method == "getWebhookInfo":
            return 200, WEBHOOK_INFO_BODY
        return 200, TRUE_BODY


class Connection(asyncio.Protocol):
    def __init__(self, state: State) -> None:
        self.state = state
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []
        self.content_type = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url, self.body, self.content_type = b"", [], b""

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"content-type":
            self.content_type = value.lower()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        path = self.url.split(b"?", 1)[0]
        try:
            status, payload = self.state.answer(path, b"".join(self.body), self.content_type)
        except Exception as error:  # a bad request body: say so, keep serving
            status = 400
            payload = json.dumps(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {error!r}"}
            ).encode()
        keep = self.parser.should_keep_alive()
        head = (
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"
            % (
                status,
                b"OK" if status == 200 else b"Error",
                len(payload),
                b"" if keep else b"Connection: close\r\n",
            )
        )
        assert self.transport is not None
        self.transport.write(head + payload)
        if not keep:
            self.transport.close()


async def serve(host: str, port: int, token: str) -> None:
    state = State(token)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(state), host, port, backlog=4096, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"port {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fake_api_fast")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=TOKEN)
    args = parser.parse_args(argv)
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # pragma: no cover - uvloop is a dependency off Windows
        runner = asyncio.Runner()
    with runner:
        runner.run(serve(args.host, args.port, args.token))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A fake Telegram Bot API: one HTTP core (asyncio + httptools), two ways to answer.

- `FakeBotApi`, for tests and for trying the bot by hand: it speaks enough of the Bot API
  for python-telegram-bot's real HTTP stack: getMe, getUpdates (long polling over updates
  the test pushes: messages, edits of them, button presses), sendMessage, sendDocument,
  editMessageText, editMessageReplyMarkup, answerCallbackQuery, setMyCommands,
  getMyCommands, deleteMyCommands (default and per-chat scopes, per language; `menu_for`
  resolves what a user sees as Telegram does), set/getMyDescription,
  set/getMyShortDescription, setWebhook, deleteWebhook. Every call
  is recorded (method + decoded params) and failures can be injected. Like Telegram it
  checks the token, the HTML of `parse_mode=HTML` texts, the 4096-character limit and the
  64-byte callback_data limit, keeps each chat's messages (edits included) and refuses a
  second answer to a query. It serves from a thread of its own, so a test's event loop
  (or a synchronous test) drives the bot while the fake answers. With `limits` it enforces
  flood limits per chat and overall (429 with `retry_after`, or without it); `throttle_next`,
  `break_next` (502) and `chaos` inject 429s and network errors; `limited` counts 429s.
- `CountingBotApi`, for load benchmarks: every method is answered at once with canned
  valid JSON (a Message echoing chat_id, text and reply_markup for sendMessage and
  editMessageText; the bot for getMe; no webhook for getWebhookInfo; an empty profile for
  getMyDescription, getMyShortDescription and getMyCommands; true for the rest),
  and only counted. `GET /stats` answers {"sendMessage": n, "calls": {method: n}, "chats":
  distinct chats, "max_per_chat": n, "last_send": monotonic seconds of the last
  sendMessage, "pid": n}; `GET /stats/chats` adds the per-chat sendMessage counts.

    python -m bot.tools.fake_bot_api --port 8081          # FakeBotApi, printing each call
    python -m bot.tools.fake_bot_api --counting --port 0  # CountingBotApi; prints "port N"

PTB posts `application/x-www-form-urlencoded` bodies whose non-string values are JSON
(reply_markup, commands, allowed_updates); JSON bodies are accepted too. HTTP/1.1
keep-alive; no TLS.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import signal
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from typing import Any, Protocol
from urllib.parse import parse_qsl

import httptools

# Shaped like a real token (the adapter checks TOKEN_FORMAT); only the fake ever sees it.
TOKEN = "7012345678:AAF-zansaiFakeToken_ForTests_abcdefghij"
BOT = {
    "id": 7012345678,
    "is_bot": True,
    "first_name": "Zansai",
    "username": "zansai_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
BOT_USER = {k: BOT[k] for k in ("id", "is_bot", "first_name", "username")}  # a message's "from"
DATE = 1_760_000_000  # the date of canned messages
JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "link_preview_options",
    "reply_parameters",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"}
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
LONG_POLL_CAP = 5.0  # seconds; the tests ask for 1

# Bot API method names are case-insensitive; the fake counts and logs them as the Bot API
# documents them.
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
        "deleteMyCommands",
        "setMyDescription",
        "getMyDescription",
        "setMyShortDescription",
        "getMyShortDescription",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "sendChatAction",
    )
}
# What Telegram's flood limits count: messages a chat sees (sent or edited).
LIMITED_METHODS = {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}


def canonical_method(name: str) -> str:
    return METHODS.get(name.lower(), name)


# -- the HTTP core -----------------------------------------------------------------------

Answer = tuple[int, bytes]


class Answers(Protocol):
    """What the core serves: an answer for each request, at once or awaited (a long poll)."""

    def answer(
        self, path: bytes, body: bytes, content_type: bytes
    ) -> Answer | Awaitable[Answer]: ...


def _error_body(
    code: int, description: str, parameters: dict[str, Any] | None = None
) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return json.dumps(body).encode()


class Connection(asyncio.Protocol):
    """One client connection: requests parsed by httptools, answered in order."""

    def __init__(self, app: Answers, open_connections: set[Connection]) -> None:
        self.app = app
        self.open_connections = open_connections
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []
        self.content_type = b""
        self.tail: asyncio.Task[None] | None = None  # the last answer still being awaited

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.open_connections.add(self)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.open_connections.discard(self)
        if self.tail is not None:
            self.tail.cancel()

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
        keep = self.parser.should_keep_alive()
        try:
            answer = self.app.answer(path, b"".join(self.body), self.content_type)
        except Exception as error:  # a bad request body: say so, keep serving
            answer = 400, _error_body(400, f"Bad Request: {error!r}")
        if isinstance(answer, tuple) and self.tail is None:
            self.respond(answer, keep)
        else:  # wait for the answer, and for the one before it: responses keep their order
            self.tail = asyncio.ensure_future(self.respond_later(self.tail, answer, keep))

    async def respond_later(
        self, before: asyncio.Task[None] | None, answer: Answer | Awaitable[Answer], keep: bool
    ) -> None:
        if before is not None:
            await before
        if not isinstance(answer, tuple):
            answer = await answer
        if self.tail is asyncio.current_task():
            self.tail = None
        self.respond(answer, keep)

    def respond(self, answer: Answer, keep: bool) -> None:
        status, payload = answer
        assert self.transport is not None
        if self.transport.is_closing():  # the client gave up (a cancelled long poll)
            return
        head = (
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"
            % (
                status,
                b"OK" if status == 200 else b"Error",
                len(payload),
                b"" if keep else b"Connection: close\r\n",
            )
        )
        self.transport.write(head + payload)
        if not keep:
            self.transport.close()


async def listen(app: Answers, host: str, port: int) -> tuple[asyncio.Server, set[Connection]]:
    """Serve `app` on host:port (0: any free port); the set holds the open connections."""
    open_connections: set[Connection] = set()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(app, open_connections), host, port, backlog=4096, reuse_address=True
    )
    return server, open_connections


# -- canned answers, for load ------------------------------------------------------------

_BOT_JSON = json.dumps(BOT_USER, separators=(",", ":"))
GET_ME_BODY = json.dumps({"ok": True, "result": BOT}).encode()
TRUE_BODY = b'{"ok":true,"result":true}'
WEBHOOK_INFO_BODY = json.dumps(
    {"ok": True, "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0}}
).encode()
NOT_FOUND_BODY = _error_body(404, "Not Found")
# The profile as a bot without one reads it (the bot sets it at start-up when it differs).
PROFILE_BODIES = {
    "getMyDescription": b'{"ok":true,"result":{"description":""}}',
    "getMyShortDescription": b'{"ok":true,"result":{"short_description":""}}',
    "getMyCommands": b'{"ok":true,"result":[]}',
}


def message_body(message_id: int, chat_id: str | int, text: str, markup: str | None) -> bytes:
    """A Bot API `{"ok": true, "result": Message}` as Telegram answers sendMessage/edit*."""
    extra = f',"reply_markup":{markup}' if markup else ""
    return (
        f'{{"ok":true,"result":{{"message_id":{message_id},"from":{_BOT_JSON},'
        f'"chat":{{"id":{chat_id},"type":"private","first_name":"U"}},"date":{DATE},'
        f'"text":{json.dumps(text, ensure_ascii=False)}{extra}}}}}'
    ).encode()


class CountingBotApi:
    """Answers every method at once with canned JSON and counts what it was asked."""

    def __init__(self, token: str = TOKEN) -> None:
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

    def answer(self, path: bytes, body: bytes, content_type: bytes) -> Answer:
        if not path.startswith(self.prefix):
            if path == b"/stats":
                return 200, self.stats()
            if path == b"/stats/chats":
                return 200, self.stats(chats=True)
            return 404, NOT_FOUND_BODY
        method = canonical_method(path[len(self.prefix) :].decode())
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
        return 200, PROFILE_BODIES.get(method, TRUE_BODY)


async def serve_counting(host: str, port: int, token: str) -> None:
    """Run a CountingBotApi until SIGTERM / SIGINT; print "port N" once listening."""
    server, _ = await listen(CountingBotApi(token), host, port)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


# -- the faithful fake, for tests --------------------------------------------------------


class ApiError(Exception):
    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def too_many_requests(retry_after: int | None) -> ApiError:
    """Telegram's 429: with `parameters.retry_after` (seconds), or, as also seen, without."""
    if retry_after is None:
        return ApiError(429, "Too Many Requests")
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass(frozen=True)
class Limits:
    """Flood limits the fake enforces on LIMITED_METHODS, as token buckets: per chat and
    overall (sustained per second, burst). A send over either gets a 429 saying when it
    would pass (whole seconds, at least 1, as Telegram says it), or none (`retry_after`
    False, as Telegram sometimes answers)."""

    per_chat: float = 1.0
    chat_burst: int = 3
    overall: float = 30.0
    overall_burst: int = 30
    retry_after: bool = True


@dataclass(frozen=True)
class Chaos:
    """Random faults on LIMITED_METHODS, from `seed`: a 429 with retry_after (`throttle`),
    one without (`bare`), a 502 (`broken`), each the chance per call."""

    seed: int = 16
    throttle: float = 0.0
    bare: float = 0.0
    broken: float = 0.0


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True


@dataclass(frozen=True)
class User:
    """A Telegram user as the tests need one; `chat` is their private chat (same id)."""

    id: int
    language_code: str | None = "ja"
    first_name: str = "Test"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


def group_chat(chat_id: int = -100123, kind: str = "supergroup") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "title": "A group"}


class _PlainText(HTMLParser):
    """Telegram's HTML parse mode: allowed tags only, entities decoded, result is plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected </{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _PlainText()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise ApiError(400, "Bad Request: can't parse entities: unclosed tag")
    return "".join(parser.parts)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeBotApi:
    """Start with `with FakeBotApi() as api:`; point PTB at `api.base_url`."""

    def __init__(
        self,
        token: str = TOKEN,
        port: int = 0,
        open_chats: bool = False,
        limits: Limits | None = None,
        chaos: Chaos | None = None,
    ) -> None:
        self.token = token
        self.limits = limits
        self.chaos = chaos
        self._random = random.Random(chaos.seed if chaos else 0)
        self._due: dict[Any, float] = {}  # GCRA per chat and overall ("*"): next due time
        self.limited = Counter[str]()  # 429s answered: "enforced", "injected", "bare"
        self.broken = 0  # 502s answered
        self.requested_port = port
        self.open_chats = open_chats  # accept any chat id, as when run on its own
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # language_code ("" default)
        # per-chat menus (BotCommandScopeChat): (chat id, language_code) -> commands
        self.chat_commands: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}  # language_code ("" default) -> description
        self.short_descriptions: dict[str, str] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}  # chat id -> messages in order
        self.confirmed = 0  # updates up to this id were fetched and confirmed by an offset
        self.webhook: dict[str, Any] | None = None  # what setWebhook was last given
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._chats: dict[int, dict[str, Any]] = {}
        self._failures: dict[str, list[ApiError]] = {}
        self._lock = threading.RLock()  # the test's thread and the server's share the state
        self._closed = False
        self._news = asyncio.Event()  # set (and replaced) when an update is pushed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[Connection] = set()
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Serve from a thread with its own event loop; return once listening."""
        loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=loop.run_forever, daemon=True)
        self._thread.start()
        listening = listen(self, "127.0.0.1", self.requested_port)
        future = asyncio.run_coroutine_threadsafe(listening, loop)
        self._server, self._connections = future.result(timeout=10)
        self._loop = loop
        return self

    def stop(self) -> None:
        with self._lock:
            self._closed = True
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shut_down(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = None

    async def _shut_down(self) -> None:
        self._notify()  # long polls return at once
        assert self._server is not None
        self._server.close()
        for connection in list(self._connections):
            if connection.transport is not None:
                connection.transport.close()
        await asyncio.sleep(0)  # let the connections see that they were closed

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what the tests push -------------------------------------------------------------

    def push_message(
        self, user: User, text: str | None, chat: dict[str, Any] | None = None, **extra: Any
    ) -> int:
        """A message from `user` (in their private chat unless `chat` is given)."""
        chat = chat or user.chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": user.as_json(),
            "chat": chat,
            "date": int(time.time()),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        with self._lock:
            self._chats[chat["id"]] = chat
            self.messages.setdefault(chat["id"], []).append(message)
        return self._push({"message": message})

    def push_edit(self, user: User, message_id: int, text: str) -> int:
        """The user edits their message `message_id` to read `text` (an edited_message)."""
        with self._lock:
            message = self.message(user.id, message_id)
            if message["from"]["id"] != user.id:
                raise ValueError("a user can only edit their own messages")
            message["text"] = text
            message["edit_date"] = int(time.time())
            message.pop("entities", None)
            edited = json.loads(json.dumps(message))
        return self._push({"edited_message": edited})

    def push_press(self, user: User, message_id: int, data: str) -> int:
        """A press on one of the bot's messages; `data` is whatever the client sends."""
        with self._lock:
            message = self.message(user.id, message_id)
            query_id = f"q{next(self._query_ids)}"
            self._queries[query_id] = False
        query = {
            "id": query_id,
            "from": user.as_json(),
            "chat_instance": f"ci{user.id}",
            "message": json.loads(json.dumps(message)),
            "data": data,
        }
        return self._push({"callback_query": query})

    def _push(self, body: dict[str, Any]) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **body})
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._notify)
        return update_id

    def _notify(self) -> None:
        """Wake every long poll waiting now (on the server's loop)."""
        self._news.set()
        self._news = asyncio.Event()

    def take_update(self, update_id: int) -> dict[str, Any]:
        """Remove a pushed update from the getUpdates queue, to POST it to a webhook instead."""
        with self._lock:
            update = next(u for u in self._updates if u["update_id"] == update_id)
            self._updates.remove(update)
        return update

    def fail_next(
        self, method: str, description: str = "Bad Request: injected failure", code: int = 400
    ) -> None:
        with self._lock:
            self._failures.setdefault(method.lower(), []).append(ApiError(code, description))

    def throttle_next(self, method: str, retry_after: int | None = 1) -> None:
        """The next call of `method` gets a 429, with `retry_after` or (None) without it."""
        with self._lock:
            failures = self._failures.setdefault(method.lower(), [])
            failures.append(too_many_requests(retry_after))

    def break_next(self, method: str) -> None:
        """The next call of `method` gets 502 Bad Gateway (PTB: NetworkError), unsent."""
        with self._lock:
            self._failures.setdefault(method.lower(), []).append(ApiError(502, "Bad Gateway"))

    def _limit(self, method: str, params: dict[str, Any]) -> None:
        """Chaos, then the flood limits; raises the 429 (or 502) the call gets instead."""
        if method not in LIMITED_METHODS:
            return
        chaos = self.chaos
        if chaos is not None:
            draw = self._random.random()
            if draw < chaos.throttle:
                self.limited["injected"] += 1
                raise too_many_requests(1)
            if draw < chaos.throttle + chaos.bare:
                self.limited["bare"] += 1
                raise too_many_requests(None)
            if draw < chaos.throttle + chaos.bare + chaos.broken:
                self.broken += 1
                raise ApiError(502, "Bad Gateway")
        limits = self.limits
        if limits is None:
            return
        now = time.monotonic()
        buckets = (
            (params.get("chat_id"), 1.0 / limits.per_chat, limits.chat_burst),
            ("*", 1.0 / limits.overall, limits.overall_burst),
        )
        wait = 0.0
        for key, interval, burst in buckets:
            wait = max(wait, self._due.get(key, 0.0) - (burst - 1) * interval - now)
        if wait > 0:
            self.limited["enforced"] += 1
            raise too_many_requests(max(1, math.ceil(wait)) if limits.retry_after else None)
        for key, interval, _ in buckets:
            self._due[key] = max(self._due.get(key, 0.0), now) + interval

    # -- what the tests read -------------------------------------------------------------

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        for message in self.messages.get(chat_id, []):
            if message["message_id"] == message_id:
                return message
        raise KeyError((chat_id, message_id))

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(chat_id, []) if m["from"]["id"] == BOT["id"]]

    def menu_for(self, chat_id: int, language_code: str | None) -> list[dict[str, Any]]:
        """The command menu a user of this private chat sees, found as Telegram does: the
        chat's own (for the client's language, then any), else the default scope's."""
        code = (language_code or "").split("-")[0].lower()
        with self._lock:
            for found in (
                self.chat_commands.get((chat_id, code)) if code else None,
                self.chat_commands.get((chat_id, "")),
                self.commands.get(code) if code else None,
                self.commands.get(""),
            ):
                if found:
                    return found
        return []

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method]

    def unanswered_queries(self) -> list[str]:
        with self._lock:
            return [query_id for query_id, answered in self._queries.items() if not answered]

    # -- serving -------------------------------------------------------------------------

    def answer(self, path: bytes, body: bytes, content_type: bytes) -> Answer | Awaitable[Answer]:
        prefix = f"/bot{self.token}/"
        try:
            text_path = path.decode()
            if not text_path.startswith("/bot"):
                raise ApiError(404, "Not Found")
            if not text_path.startswith(prefix):
                raise ApiError(401, "Unauthorized")
            # Method names are case-insensitive: calls are logged as the Bot API spells them.
            method = canonical_method(text_path[len(prefix) :])
            params = self._params(body, content_type.decode())
            with self._lock:
                failures = self._failures.get(method.lower())
                failure = failures.pop(0) if failures else None
                if failure is not None and failure.code == 429:
                    self.limited["injected" if failure.parameters else "bare"] += 1
                elif failure is not None and failure.code == 502:
                    self.broken += 1
                if failure is None:
                    try:
                        self._limit(method, params)
                    except ApiError as refused:
                        failure = refused
            if failure is not None:
                self.calls.append(Call(method, params, ok=False))
                raise failure
            if method == "getUpdates":
                return self._long_poll(params)
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            try:
                result = handler(params)
            except ApiError:
                self.calls.append(Call(method, params, ok=False))
                raise
            self.calls.append(Call(method, params))
            return 200, json.dumps({"ok": True, "result": result}).encode()
        except ApiError as error:
            return error.code, _error_body(error.code, error.description, error.parameters)

    def _params(self, raw: bytes, content_type: str) -> dict[str, Any]:
        kind = content_type.split(";")[0].strip()
        files: dict[str, Any] = {}
        if kind == "application/json":
            # As the Bot API server reads a JSON body: a string value is the parameter's text
            # (as in a form), anything else its JSON.
            fields = json.loads(raw or b"{}")
            pairs = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in fields.items()]
        elif kind in ("", "application/x-www-form-urlencoded"):
            pairs = parse_qsl(raw.decode(), keep_blank_values=True)
        elif kind == "multipart/form-data":  # an upload: files kept as {filename, content}
            pairs, files = self._multipart(raw, content_type)
        else:
            raise ApiError(400, f"Bad Request: unsupported content type {kind}")
        params: dict[str, Any] = {}
        for key, value in pairs:
            if key in JSON_FIELDS:
                params[key] = json.loads(value)
            elif key in INT_FIELDS and value.lstrip("-").isdigit():
                params[key] = int(value)
            else:
                params[key] = value
        return {**params, **files}

    def _multipart(
        self, raw: bytes, content_type: str
    ) -> tuple[list[tuple[str, str]], dict[str, Any]]:
        """A multipart body: its fields as (name, text) pairs, read like a form's, and its
        files as {name: {filename, content}}."""
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        pairs: list[tuple[str, str]] = []
        files: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            content = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[name] = {"filename": filename, "content": content}
            else:
                pairs.append((name, content.decode()))
        return pairs, files

    async def _long_poll(self, params: dict[str, Any]) -> Answer:
        """getUpdates: what is pending from `offset` on, waiting up to `timeout` for some."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        with self._lock:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self.confirmed = max(self.confirmed, offset - 1)
        pending: list[dict[str, Any]] = []
        while not self._closed:
            news = self._news  # before looking: a push after the look sets this one
            with self._lock:
                pending = [u for u in self._updates if u["update_id"] >= offset][:limit]
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0:
                break
            with suppress(TimeoutError):
                await asyncio.wait_for(news.wait(), remaining)
        if pending:
            self.calls.append(Call("getUpdates", params))
        return 200, json.dumps({"ok": True, "result": pending}).encode()

    # -- methods -------------------------------------------------------------------------

    def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT

    def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self.webhook = None
        return True

    def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self.webhook = dict(params)
        return True

    def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            name, description = command["command"], command["description"]
            if not 1 <= len(name) <= 32 or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        menus, key = self._menus(params)
        with self._lock:
            if commands:
                menus[key] = commands
            else:  # an empty list is how a menu is removed too
                menus.pop(key, None)
        return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        menus, key = self._menus(params)
        with self._lock:
            return menus.get(key, [])

    def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        menus, key = self._menus(params)
        with self._lock:
            menus.pop(key, None)
        return True

    def _menus(self, params: dict[str, Any]) -> tuple[dict[Any, Any], Any]:
        """Where a setMyCommands-like call's list lives: the default scope's (by language)
        or a chat's (by chat and language); other scopes are not simulated."""
        code = self._language_code(params)
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "default":
            return self.commands, code
        if scope.get("type") == "chat":
            chat_id = scope.get("chat_id")
            with self._lock:
                if not isinstance(chat_id, int) or chat_id not in self._chats:
                    raise ApiError(400, "Bad Request: chat not found")
            return self.chat_commands, (chat_id, code)
        raise ApiError(400, f"Bad Request: scope {scope.get('type')!r} is not simulated")

    @staticmethod
    def _language_code(params: dict[str, Any]) -> str:
        code = params.get("language_code") or ""
        if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return code.lower()

    def _api_setmydescription(self, params: dict[str, Any]) -> bool:
        return self._describe(self.descriptions, params, "description", MAX_DESCRIPTION)

    def _api_setmyshortdescription(self, params: dict[str, Any]) -> bool:
        return self._describe(
            self.short_descriptions, params, "short_description", MAX_SHORT_DESCRIPTION
        )

    def _api_getmydescription(self, params: dict[str, Any]) -> dict[str, str]:
        with self._lock:
            return {"description": self.descriptions.get(self._language_code(params), "")}

    def _api_getmyshortdescription(self, params: dict[str, Any]) -> dict[str, str]:
        code = self._language_code(params)
        with self._lock:
            return {"short_description": self.short_descriptions.get(code, "")}

    def _describe(self, where: dict[str, str], params: dict[str, Any], name: str,
                  limit: int) -> bool:
        code, text = self._language_code(params), str(params.get(name) or "")
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {name.upper()}_TOO_LONG")
        with self._lock:
            if text:
                where[code] = text
            else:  # an empty text removes the one for this language
                where.pop(code, None)
        return True

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        with self._lock:
            chat = self._chats.get(chat_id)  # type: ignore[arg-type]
            if chat is None and self.open_chats and isinstance(chat_id, int):
                chat = self._chats.setdefault(chat_id, {"id": chat_id, "type": "private"})
            if chat is None:
                raise ApiError(400, "Bad Request: chat not found")
            message = {
                "message_id": next(self._message_ids),
                "from": dict(BOT_USER),
                "chat": chat,
                "date": int(time.time()),
                "text": self._text(params),
            }
            markup = self._markup(params)
            if markup:
                message["reply_markup"] = markup
            self.messages.setdefault(chat["id"], []).append(message)
            return message

    def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        with self._lock:
            if params.get("chat_id") not in self._chats and not self.open_chats:
                raise ApiError(400, "Bad Request: chat not found")
        if params.get("action") not in ("typing", "upload_document"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        """An uploaded file (only uploads: no file_id or URL here), with an optional caption."""
        document = params.get("document")
        if not isinstance(document, dict) or not document["content"]:
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = plain_text(str(params.get("caption") or ""), params.get("parse_mode"))
        if utf16_len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        with self._lock:
            chat = self._chats.get(params.get("chat_id"))  # type: ignore[arg-type]
            if chat is None:
                raise ApiError(400, "Bad Request: chat not found")
            number = next(self._message_ids)
            message = {
                "message_id": number,
                "from": dict(BOT_USER),
                "chat": chat,
                "date": int(time.time()),
                "document": {
                    "file_id": f"document-{number}",
                    "file_unique_id": f"unique-{number}",
                    "file_name": document["filename"],
                    "file_size": len(document["content"]),
                },
            }
            if caption:
                message["caption"] = caption
            self.messages.setdefault(chat["id"], []).append(message)
            return message

    def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self._editable(params)
            text, markup = self._text(params), self._markup(params)
            if text == message["text"] and markup == message.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified")
            message["text"] = text
            self._set_markup(message, markup)
            return message

    def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self._editable(params)
            markup = self._markup(params)
            if markup == message.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified")
            self._set_markup(message, markup)
            return message

    def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._lock:
            if self._queries.get(query_id) is not False:  # type: ignore[arg-type]
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired "
                    "or query ID is invalid",
                )
            self._queries[query_id] = True  # type: ignore[index]
        return True

    # -- checks --------------------------------------------------------------------------

    def _text(self, params: dict[str, Any]) -> str:
        text = plain_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: inline keyboard button without text")
        return markup if markup.get("inline_keyboard") else None

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            message = self.message(params["chat_id"], params["message_id"])
        except KeyError:
            raise ApiError(400, "Bad Request: message to edit not found") from None
        if message["from"]["id"] != BOT["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup:
            message["reply_markup"] = markup
        else:  # like Telegram: an edit without reply_markup removes the inline keyboard
            message.pop("reply_markup", None)


# -- running on its own ------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """A stand-in Bot API: by default a FakeBotApi for trying the bot by hand (any chat id,
    each call printed as it arrives); with --counting a CountingBotApi for load runs.

    Point Zansai at it with ZANSAI_TELEGRAM_BASE_URL=http://127.0.0.1:PORT/bot and
    TELEGRAM_BOT_TOKEN set to TOKEN above.
    """
    parser = argparse.ArgumentParser(prog="python -m bot.tools.fake_bot_api")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--counting", action="store_true", help="canned answers, counted")
    args = parser.parse_args(argv)
    if args.counting:
        try:
            import uvloop

            runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
        except ImportError:  # pragma: no cover - uvloop is a dependency off Windows
            runner = asyncio.Runner()
        with runner:
            runner.run(serve_counting(args.host, args.port, args.token))
        return 0
    api = FakeBotApi(token=args.token, port=args.port, open_chats=True).start()
    print(f"fake Bot API at {api.base_url} (token {api.token})", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            for call in api.calls[seen:]:
                text = str(call.params.get("text", ""))[:60].replace("\n", " ")
                print(f"{call.method} {text}", flush=True)
            seen = len(api.calls)
    except KeyboardInterrupt:
        api.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A fake Telegram Bot API server for tests: stdlib `http.server` in a thread on 127.0.0.1.

It speaks enough of the Bot API for python-telegram-bot's real HTTP stack (HTTPXRequest):
getMe, getUpdates (long polling over updates the test pushes), sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setMyCommands, getMyCommands, deleteWebhook.
Every call is recorded (method + decoded params). Like Telegram it checks the token, the
HTML of `parse_mode=HTML` texts, the 4096-character limit and the 64-byte callback_data
limit, keeps each chat's messages (edits included) and refuses a second answer to a query.

PTB posts `application/x-www-form-urlencoded` bodies whose non-string values are JSON
(reply_markup, commands, allowed_updates); JSON bodies are accepted too.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bench.fake_api_fast import canonical_method

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
MAX_CALLBACK_BYTES = 64
LONG_POLL_CAP = 5.0  # seconds; the tests ask for 1


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


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

    def __init__(self, token: str = TOKEN, port: int = 0, open_chats: bool = False) -> None:
        self.token = token
        self.requested_port = port
        self.open_chats = open_chats  # accept any chat id, as when run on its own
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # language_code ("" default)
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
        self._lock = threading.Condition()
        self._closed = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                api._serve(self)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.requested_port), Handler)
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # a client went away
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

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
            self._lock.notify_all()
        return update_id

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

    # -- what the tests read -------------------------------------------------------------

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        for message in self.messages.get(chat_id, []):
            if message["message_id"] == message_id:
                return message
        raise KeyError((chat_id, message_id))

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(chat_id, []) if m["from"]["id"] == BOT["id"]]

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method]

    def unanswered_queries(self) -> list[str]:
        with self._lock:
            return [query_id for query_id, answered in self._queries.items() if not answered]

    # -- serving -------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        try:
            if not request.path.startswith("/bot"):
                raise ApiError(404, "Not Found")
            if not request.path.startswith(prefix):
                raise ApiError(401, "Unauthorized")
            # Method names are case-insensitive: calls are logged as the Bot API spells them.
            method = canonical_method(request.path[len(prefix) :].split("?", 1)[0])
            params = self._params(request)
            with self._lock:
                failures = self._failures.get(method.lower())
                failure = failures.pop(0) if failures else None
            if failure is not None:
                self.calls.append(Call(method, params, ok=False))
                raise failure
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            try:
                result = handler(params)
            except ApiError:
                self.calls.append(Call(method, params, ok=False))
                raise
            if method.lower() != "getupdates" or result:
                self.calls.append(Call(method, params))
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            body = {"ok": False, "error_code": error.code, "description": error.description}
            status = error.code
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:  # the client gave up (a cancelled long poll)
            pass

    def _params(self, request: BaseHTTPRequestHandler) -> dict[str, Any]:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        kind = (request.headers.get("Content-Type") or "").split(";")[0].strip()
        if kind == "application/json":
            # As the Bot API server reads a JSON body: a string value is the parameter's text
            # (as in a form), anything else its JSON.
            fields = json.loads(raw or b"{}")
            pairs = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in fields.items()]
        elif kind in ("", "application/x-www-form-urlencoded"):
            pairs = parse_qsl(raw.decode(), keep_blank_values=True)
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
        return params

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
        with self._lock:
            self.commands[params.get("language_code", "")] = commands
        return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._lock:
            return self.commands.get(params.get("language_code", ""), [])

    def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        with self._lock:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self.confirmed = max(self.confirmed, offset - 1)
                self._lock.notify_all()
            while not self._closed:
                pending = [u for u in self._updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending[:limit]
                self._lock.wait(remaining)
            return []

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
                "from": {k: BOT[k] for k in ("id", "is_bot", "first_name", "username")},
                "chat": chat,
                "date": int(time.time()),
                "text": self._text(params),
            }
            markup = self._markup(params)
            if markup:
                message["reply_markup"] = markup
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


def main() -> None:
    """`python -m tests.fake_bot_api --port 8081`: a stand-in Bot API for trying things by hand.

    Point Zansai at it with ZANSAI_TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot and
    TELEGRAM_BOT_TOKEN set to the TOKEN above; it prints each call as it arrives.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    api = FakeBotApi(port=args.port, open_chats=True).start()
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


if __name__ == "__main__":
    main()

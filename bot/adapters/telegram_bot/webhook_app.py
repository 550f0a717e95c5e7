"""Webhook mode: a small ASGI app behind uvicorn, where 200 means handled.

    POST {url_path} ─► secret? ─► size? ─► room? ─► body? ─► JSON Update? ─► process ─► 200
                       403        413      503      408      400                  └─ retry: 503

The response goes back only after the update was applied, its replies sent and the session
saved, so Telegram's retries (on anything but 2xx) are what make delivery reliable; the
store remembers update ids so a retry is acknowledged without being applied twice.
GET /healthz (alive), /readyz (the store and the Bot API reachable), /metrics (Prometheus).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.adapters.telegram_bot.metrics import CONTENT_TYPE, Metrics
from bot.adapters.telegram_bot.updates import NotAnUpdate
from bot.storage import RetryLater

log = logging.getLogger("zansai.webhook")

MAX_BODY = 1024 * 1024
SECRET_HEADER = b"x-telegram-bot-api-secret-token"


Process = Callable[[dict[str, Any]], Awaitable[str]]


class NotReady(Exception):
    """What /readyz found unreachable; its message is the 503's body ("bot api unreachable")."""


@dataclass(frozen=True)
class WebhookSettings:
    """Webhook options; each `--option` also comes from its ZANSAI_WEBHOOK_* variable.

    `body_timeout`: seconds a client may take to send its body; a slower one gets 408, so
    that it cannot hold one of the `max_in_flight` places for as long as it likes.
    """

    secret: str
    listen: str = "127.0.0.1"
    port: int = 8080
    url_path: str = "/telegram"
    webhook_url: str | None = None
    workers: int = 1
    max_in_flight: int = 256
    body_timeout: float = 10.0

    ENV: ClassVar[dict[str, str]] = {
        "listen": "ZANSAI_WEBHOOK_LISTEN",
        "port": "ZANSAI_WEBHOOK_PORT",
        "url_path": "ZANSAI_WEBHOOK_PATH",
        "webhook_url": "ZANSAI_WEBHOOK_URL",
        "secret": "ZANSAI_WEBHOOK_SECRET",
        "workers": "ZANSAI_WEBHOOK_WORKERS",
        "max_in_flight": "ZANSAI_WEBHOOK_MAX_IN_FLIGHT",
        "body_timeout": "ZANSAI_WEBHOOK_BODY_TIMEOUT",
    }

    @classmethod
    def from_env(cls, **overrides: Any) -> WebhookSettings:
        values: dict[str, Any] = {}
        for name, variable in cls.ENV.items():
            value = overrides.get(name)
            if value is None:
                value = os.environ.get(variable)
            if value is not None and value != "":
                if name in ("port", "workers", "max_in_flight"):
                    value = int(value)
                elif name == "body_timeout":
                    value = float(value)
                values[name] = value
        if not values.get("secret"):
            raise ValueError("a webhook secret is required: --secret or ZANSAI_WEBHOOK_SECRET")
        if not 1 <= len(values["secret"]) <= 256 or not all(
            c.isalnum() or c in "_-" for c in values["secret"]
        ):
            raise ValueError("the webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        path = values.get("url_path", cls.url_path)
        values["url_path"] = path if path.startswith("/") else "/" + path
        return cls(**values)


class WebhookApp:
    """The ASGI application. `process` applies one update (raises RetryLater to ask for 503)."""

    def __init__(
        self,
        settings: WebhookSettings,
        process: Process,
        ready: Callable[[], Awaitable[None]],
        metrics: Metrics | None = None,
        startup: Callable[[], Awaitable[None]] | None = None,
        shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        self.process = process
        self.ready = ready
        self.metrics = metrics or Metrics()
        self.startup = startup
        self.shutdown = shutdown
        self.in_flight = 0
        self._secret = settings.secret.encode()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == self.settings.url_path:
            if method != "POST":
                await _respond(send, 405, b"method not allowed", [(b"allow", b"POST")])
                return
            status = await self._webhook(scope, receive)
            retry = [(b"retry-after", b"1")] if status == 503 else []
            await _respond(send, status, _REASONS.get(status, b""), retry)
        elif method == "GET" and path == "/healthz":
            await _respond(send, 200, b"ok")
        elif method == "GET" and path == "/readyz":
            try:
                await self.ready()
            except NotReady as error:  # what it says, e.g. the Bot API
                cause = error.__cause__ or error
                log.warning("not ready: %s (%s)", error, type(cause).__name__)
                await _respond(send, 503, str(error).encode())
                return
            except Exception as error:  # the store is unreachable: not ready
                log.warning("not ready: %s", type(error).__name__)
                await _respond(send, 503, b"store unreachable")
                return
            await _respond(send, 200, b"ready")
        elif method == "GET" and path == "/metrics":
            body = self.metrics.render().encode()
            await _respond(send, 200, body, [(b"content-type", CONTENT_TYPE.encode())])
        else:
            await _respond(send, 404, b"not found")

    async def _webhook(self, scope: dict, receive: Callable) -> int:
        started = time.perf_counter()
        headers = dict(scope["headers"])
        if not hmac.compare_digest(headers.get(SECRET_HEADER, b""), self._secret):
            return self._count(403, "forbidden")
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            return self._count(413, "too_large")
        if self.in_flight >= self.settings.max_in_flight:
            return self._count(503, "overloaded")
        self.in_flight += 1
        self.metrics.in_flight.inc()
        try:
            try:
                body = await asyncio.wait_for(
                    _read_body(receive, MAX_BODY), self.settings.body_timeout
                )
            except TimeoutError:
                return self._count(408, "slow_body")
            if body is None:
                return self._count(413, "too_large")
            try:
                update = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):  # nested 100,000 deep
                return self._count(400, "bad_json")
            if not isinstance(update, dict) or type(update.get("update_id")) is not int:
                return self._count(400, "not_an_update")
            try:
                outcome = await self.process(update)
            except RetryLater as error:
                cause = error.__cause__ or error
                self.metrics.errors[type(cause).__name__] += 1
                # One line, no traceback. A store's own error says what is wrong ("database
                # is locked"); ours (a conflict, a lock timeout) would only name the chat.
                detail = "" if isinstance(cause, RetryLater) else f": {str(cause)[:200]}"
                log.warning(
                    "update %s not applied, answered 503 for a retry: %s%s",
                    update["update_id"],
                    type(cause).__name__,
                    detail,
                    extra={"update_id": update["update_id"], "outcome": "retry"},
                )
                return self._count(503, "retry")
            except NotAnUpdate as error:
                log.warning(
                    "update %s is not a Telegram update: %s",
                    update["update_id"],
                    type(error.__cause__ or error).__name__,
                )
                return self._count(400, "not_an_update")
            except Exception as error:  # a bug: logged without the update's content
                log.error(
                    "update %s failed: %s\n%s",
                    update["update_id"],
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)).rstrip(),
                )
                self.metrics.errors[type(error).__name__] += 1
                return self._count(500, "error")
            kind = getattr(outcome, "kind", "unknown")
            self.metrics.count_update(kind, outcome)
            elapsed = time.perf_counter() - started
            self.metrics.observe(elapsed, kind)
            log.debug(
                "update %s %s in %.1f ms", update["update_id"], outcome, elapsed * 1000,
                extra={"update_id": update["update_id"], "kind": kind, "outcome": str(outcome),
                       "latency_ms": round(elapsed * 1000, 1)},
            )  # fmt: skip
            return 200
        finally:
            self.in_flight -= 1
            self.metrics.in_flight.dec()

    def _count(self, status: int, outcome: str) -> int:
        """A request refused or failed before the adapter said what it was: kind "unread"."""
        self.metrics.count_update("unread", outcome)
        return status

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.startup:
                        await self.startup()
                except Exception as error:
                    log.error("start-up failed: %s", type(error).__name__)
                    await send({"type": "lifespan.startup.failed", "message": type(error).__name__})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.shutdown:
                    await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


_REASONS = {
    200: b"",
    400: b"bad request",
    403: b"forbidden",
    408: b"request timeout",
    413: b"payload too large",
    500: b"internal error",
    503: b"try again later",
}


async def _read_body(receive: Callable, limit: int) -> bytes | None:
    """The request body, or None once it grows past `limit` (whatever Content-Length said)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


_TEXT = (b"content-type", b"text/plain; charset=utf-8")


async def _respond(
    send: Callable, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    extra = headers or []
    typed = [] if any(name == b"content-type" for name, _ in extra) else [_TEXT]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*typed, (b"content-length", str(len(body)).encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})

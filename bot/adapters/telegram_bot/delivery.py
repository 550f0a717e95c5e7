"""Delivering a turn's replies under Telegram's limits: the adapter's courier.

The turn runner saves a turn with its outbox, then hands each message to `TelegramCourier.send`:

    pace (the store reserves a slot under the chat's and the bot's rates) ─► wait, showing
    "typing…" past about a second ─► hold (the chat is still this turn's) ─► Bot API call
        429 with retry_after ─► wait that long (+0.1 s, as PTB's AIORateLimiter), try again
        429 without it, network error, timeout ─► back off 0.5, 1, 2, 4 … s, try again
        400 / 403 (a bug, or the user blocked the bot) ─► Undeliverable
        still failing after `attempts`, or a wait longer than `max_wait` ─► the error goes
        up; the message stays in the outbox for the update's retry, the chat's next update
        or the polling adapter's own retry

The numbers come from PTB's `AIORateLimiter` and Telegram's guidance: about 30 messages a
second overall (`overall_max_rate=30` per second, bursts up to 30) and about one a second per
chat (`FloodLimit.MESSAGES_PER_SECOND_PER_CHAT`; a short burst is tolerated, here 3: a turn
is rarely more). Unlike AIORateLimiter the buckets live in the store, so webhook workers
sharing Redis share them, and a 429 pauses only the chat it came from. A timed-out request
may have reached Telegram; it is sent again (the Bot API has no idempotent send), the one
way a reply can arrive twice.

Logs name methods, exception types and waits; never the text, the chat or the token.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.adapters.telegram_bot.bot_api import bot_api, send_document, send_message
from bot.adapters.telegram_bot.logs import error_names
from bot.adapters.telegram_bot.render import Outgoing, render
from bot.core.events import Document
from bot.storage.base import AsyncStore, Rate
from bot.turns import Turn, Undeliverable

log = logging.getLogger(__name__)

TYPING_LASTS = 5.0  # Telegram shows "typing…" for 5 s, or until the next message arrives
PER_CHAT = Rate(1.0, 3)  # about one message a second in a chat, a turn's few at once
OVERALL = Rate(30.0, 30)  # AIORateLimiter: overall_max_rate=30, overall_time_period=1


@dataclass(frozen=True, slots=True)
class Pacing:
    """How fast replies go out and how hard a send is retried within a turn."""

    chat: Rate = PER_CHAT
    overall: Rate = OVERALL
    typing_after: float = 1.0  # a reply held back longer than this shows "typing…" first
    attempts: int = 6  # tries per message within a turn
    backoff: float = 0.5  # the first wait after a network error; doubled each time
    max_backoff: float = 8.0
    max_wait: float = 30.0  # a retry_after longer than this is left to a later retry

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Pacing:
        """The defaults, with the rates of ZANSAI_RATE_PER_CHAT / ZANSAI_BURST_PER_CHAT /
        ZANSAI_RATE_OVERALL / ZANSAI_BURST_OVERALL where set (a local Bot API server, or a
        test's faster clock)."""
        env = os.environ if environ is None else environ
        default = cls()

        def number(name: str, fallback: float) -> float:
            value = env.get(name, "").strip()
            if not value:
                return fallback
            parsed = float(value)
            if parsed <= 0:
                raise ValueError(f"{name} must be positive")
            return parsed

        chat = Rate(
            number("ZANSAI_RATE_PER_CHAT", default.chat.per_second),
            int(number("ZANSAI_BURST_PER_CHAT", default.chat.burst)),
        )
        overall = Rate(
            number("ZANSAI_RATE_OVERALL", default.overall.per_second),
            int(number("ZANSAI_BURST_OVERALL", default.overall.burst)),
        )
        return cls(chat=chat, overall=overall)


@dataclass
class DeliveryStats:
    """What delivery did in this process (counts only, no content): for tests and benches."""

    sent: Counter[str] = field(default_factory=Counter)  # method -> calls that succeeded
    limited: int = 0  # 429s answered, with or without retry_after
    failed: int = 0  # network errors and timeouts retried
    typing: int = 0  # "typing…" shown while a reply was held back
    held: float = 0.0  # seconds replies waited for pacing (not for 429s or back-off)


def outbox_message(message: Outgoing) -> dict[str, Any]:
    """A rendered message as the outbox keeps it (JSON; a document's bytes in base64)."""
    if message.document is not None:
        document = message.document
        return {
            "method": "sendDocument",
            "caption": message.text,
            "filename": document.filename,
            "media_type": document.media_type,
            "content": base64.b64encode(document.content).decode("ascii"),
        }
    data: dict[str, Any] = {"method": "sendMessage", "text": message.text}
    if message.markup is not None:
        data["reply_markup"] = message.markup
    return data


class TelegramCourier:
    """Delivers one chat's outbox: paced through the store, retried, with "typing…"."""

    def __init__(
        self,
        bot: Bot,
        store: AsyncStore,
        user: str,
        chat_id: int,
        pacing: Pacing | None = None,
        stats: DeliveryStats | None = None,
        mark: dict[str, Any] | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.bot = bot
        self.store = store
        self.user = user
        self.chat_id = chat_id
        self.pacing = pacing or Pacing()
        self.stats = stats if stats is not None else DeliveryStats()
        self.mark = mark  # an edit of the pressed question (method and params), if accepted
        self.on_retry = on_retry  # told "429", "server" or "network" before each retry

    def render(self, turn: Turn) -> list[dict[str, Any]]:
        messages = [outbox_message(message) for message in render(turn.replies)]
        if messages and self.mark is not None and turn.accepted:
            messages[0]["before"] = self.mark  # cosmetic: made just before the first reply
        return messages

    async def send(self, message: dict[str, Any], hold: Callable[[], Awaitable[None]]) -> None:
        before = message.get("before")
        if before is not None:
            try:
                await self._call(before, hold)
            except (BadRequest, Forbidden) as error:  # cosmetic: the answer itself matters
                log.warning("could not mark the pressed button: %s", error_names(error))
        try:
            await self._call(message, hold)
        except (BadRequest, Forbidden) as error:
            raise Undeliverable(message["method"]) from error

    async def _call(self, message: dict[str, Any], hold: Callable[[], Awaitable[None]]) -> None:
        """One Bot API call, paced and retried; raises what retrying cannot cure."""
        method = message["method"]
        pacing = self.pacing
        attempt = 0
        while True:
            delay = await self.store.pace(self.user, pacing.chat, pacing.overall)
            if delay > 0:
                self.stats.held += delay
                await self._wait(delay)
            await hold()
            try:
                await self._request(message)
            except RetryAfter as error:
                failure: TelegramError = error
                wait = _seconds(error) + 0.1
                reason = "429"
                self.stats.limited += 1
            except BadRequest:  # a NetworkError in PTB, but never cured by waiting
                raise
            except NetworkError as error:  # TimedOut included
                failure = error
                wait = min(pacing.backoff * 2**attempt, pacing.max_backoff)
                if str(error).startswith("Too Many Requests"):  # 429 without retry_after
                    reason = "429"
                    self.stats.limited += 1
                else:  # PTB words 5xx answers "Bad Gateway" / "Internal Server Error" (50x)
                    reason = "server" if _server_error(error) else "network"
                    self.stats.failed += 1
            else:
                self.stats.sent[method] += 1
                return
            attempt += 1
            if attempt >= pacing.attempts or wait > pacing.max_wait:
                log.warning(
                    "%s not delivered after %d attempt(s) (%s); left in the outbox",
                    method, attempt, type(failure).__name__,
                )  # fmt: skip
                raise failure
            log.info("%s: retrying in %.1f s (%s)", method, wait, type(failure).__name__)
            if self.on_retry is not None:
                self.on_retry(reason)
            await self._wait(wait)

    async def _request(self, message: dict[str, Any]) -> None:
        method = message["method"]
        if method == "sendMessage":
            outgoing = Outgoing(message["text"], message.get("reply_markup"))
            await send_message(self.bot, self.chat_id, outgoing)
        elif method == "sendDocument":
            content = base64.b64decode(message["content"])
            document = Document(message["filename"], content, message["media_type"])
            caption = Outgoing(message["caption"], None, document)
            await send_document(self.bot, self.chat_id, caption)
        else:  # the edit that marks a pressed button
            params = {k: v for k, v in message.items() if k != "method"}
            if method == "editMessageText":
                params["parse_mode"] = "HTML"
            await bot_api(self.bot, method, chat_id=self.chat_id, **params)

    async def _wait(self, seconds: float) -> None:
        """Sleep; past `typing_after`, with "typing…" shown (renewed before it fades)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (remaining := end - loop.time()) > 0:
            if remaining > self.pacing.typing_after:
                await self._typing()
                await asyncio.sleep(min(remaining, TYPING_LASTS - 0.5))
            else:
                await asyncio.sleep(remaining)

    async def _typing(self) -> None:
        try:
            await bot_api(self.bot, "sendChatAction", chat_id=self.chat_id, action="typing")
        except TelegramError as error:  # only a hint: the reply itself is what counts
            log.info("could not show typing: %s", error_names(error))
            return
        self.stats.typing += 1


def _server_error(error: NetworkError) -> bool:
    text = str(error)
    return text.startswith(("Bad Gateway", "Internal Server Error", "Service Unavailable",
                            "Gateway Timeout")) or "(50" in text  # fmt: skip


def _seconds(error: RetryAfter) -> float:
    period = getattr(error, "_retry_after", None)
    if period is not None:
        return float(period.total_seconds())
    value = error.retry_after
    return float(value if isinstance(value, int | float) else value.total_seconds())


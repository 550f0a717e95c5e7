"""The Telegram adapter: updates in, engine turns through the one turn runner, messages out.

    Update ──► TelegramAdapter ──► Event ──► TurnRunner.turn ──► [Reply] ──► sendMessage
                 │ private chats only; groups get one bilingual line and nothing is stored
                 │ callback_data = "<question>|<option id>" (≤ 64 bytes, checked at start-up)
                 │ a press the engine accepts edits its message into "question\\n→ answer"
                 │ an edited message is an Event.edited (the engine reads an edit of the last
                 │ typed answer as a correction; any other gets one line)
                 └ when the user's language changes, their chat gets its own command menu

The turn's own result says what happened (accepted or stale, verdict shown); the adapter
never re-derives it and never builds a session. Replies go out through the turn's outbox
(`delivery.py`): saved with the turn, then sent paced, retried and recorded one by one. A
delivery that cannot finish now is retried: by Telegram (the webhook answers 503), or under
polling by the adapter itself a little later; either way it resumes after the last reply
delivered. Polling (`polling.py`) and the webhook
(`webhook.py`) both drive this class. Logs carry update kind, question id and outcome only:
never the token, the user's text or amounts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from contextvars import ContextVar
from typing import TYPE_CHECKING

from telegram import Bot, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram_bot.bot_api import answer_callback_query
from bot.adapters.telegram_bot.callbacks import decode_callback
from bot.adapters.telegram_bot.delivery import (
    DeliveryStats,
    Pacing,
    TelegramCourier,
    outbox_message,
)
from bot.adapters.telegram_bot.logs import error_frames, error_names
from bot.adapters.telegram_bot.menu import (
    KNOWN_COMMANDS,
    reset_chat_menu,
    set_chat_menu,
    set_profile,
)
from bot.adapters.telegram_bot.ratelimit import ChatRateLimit, RateDecision
from bot.adapters.telegram_bot.render import MAX_MESSAGE, escape, render
from bot.adapters.telegram_bot.updates import Incoming
from bot.core import texts
from bot.core.events import Event, Kind, Reply
from bot.core.i18n import DEFAULT_LANGUAGE, language_from_code, translate
from bot.storage import RetryLater
from bot.turns import Turn, TurnRunner

if TYPE_CHECKING:  # prometheus_client is the webhook's: polling never imports it
    from bot.adapters.telegram_bot.metrics import Metrics

log = logging.getLogger(__name__)

# What polling and setWebhook ask for.
ALLOWED_UPDATES = (Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY)
# Under polling nobody redelivers an update: one whose replies could not all be sent (or
# whose store failed) is handled again after each of these waits, then left to the chat's
# next update.
POLLING_RETRIES = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

# The update being handled in this task: its update_id and when its handling began (for
# the one INFO line per update: see `_logged`).
_handling: ContextVar[tuple[int | None, float] | None] = ContextVar("zansai_update", default=None)


def event_from_text(text: str, message_id: int | None = None) -> Event:
    """A command for "/name arg" ("/name@bot" too), anything else typed text (with the id of
    its message, so that an edit of it can be recognised).

    Unlike the console, "@id" is not a button here: on Telegram it is just text.
    """
    if text.strip().startswith("/") and len(text.strip()) > 1:
        return Event.parse(text)
    return Event.text(text, message_id)


def user_key(user_id: int) -> str:
    return f"telegram:{user_id}"


class TelegramAdapter:
    """Turns updates into turns of the runner and replies into messages.

    Conversations live in the store, behind the runner; the adapter keeps only what is per
    process: the per-chat flood guard and the metrics counters. `message` and `button` take
    any `Bot`, so polling (PTB dispatches to `on_message` / `on_button`, see `register`) and
    the webhook (`process`, no PTB dispatch) run the very same code. Each returns an outcome
    name for logs and metrics.
    """

    def __init__(
        self,
        runner: TurnRunner,
        metrics: Metrics | None = None,
        rate_limit: ChatRateLimit | None = None,
        pacing: Pacing | None = None,
    ) -> None:
        self.runner = runner
        self.metrics = metrics
        self.rate_limit = rate_limit or ChatRateLimit()
        if metrics is not None:  # the funnel counts questions, not verdicts
            metrics.questions = {
                (flow.id, question.id)
                for flow in runner.engine.flows.values()
                for question in flow.questions
            }
        self.pacing = pacing or Pacing.from_env()
        self.delivery = DeliveryStats()
        self.polling_retries = POLLING_RETRIES
        self._retrying: set[asyncio.Task[None]] = set()

    def register(self, application: Application) -> None:
        # MESSAGES: new and edited messages
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGES, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._polled(self.message, Incoming.from_update(update), context.bot)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._polled(self.button, Incoming.from_update(update), context.bot)

    async def _polled(
        self, handle: Callable[[Incoming, Bot], Awaitable[str]], update: Incoming, bot: Bot
    ) -> None:
        """Polling: a failure that may pass (the store, Telegram unreachable or throttling)
        is retried here in the background, as Telegram would redeliver to a webhook; the
        update's own id makes the retry resume rather than apply it twice."""
        try:
            await handle(update, bot)
        except (RetryLater, NetworkError, RetryAfter) as error:
            if isinstance(error, BadRequest):
                raise
            task = asyncio.create_task(self._retry(handle, update, bot, error))
            self._retrying.add(task)
            task.add_done_callback(self._retrying.discard)

    async def _retry(
        self,
        handle: Callable[[Incoming, Bot], Awaitable[str]],
        update: Incoming,
        bot: Bot,
        error: BaseException,
    ) -> None:
        for wait in self.polling_retries:
            log.warning(
                "update %s not finished (%s); retrying in %.0f s",
                update.update_id, type(error).__name__, wait,
            )  # fmt: skip
            await asyncio.sleep(wait)
            try:
                await handle(update, bot)
                return
            except (RetryLater, NetworkError, RetryAfter) as again:
                if isinstance(again, BadRequest):
                    await self.report(update, bot, again)
                    return
                error = again
            except Exception as again:
                await self.report(update, bot, again)
                return
        log.error("update %s not finished after retries (%s)", update.update_id,
                  type(error).__name__)  # fmt: skip

    async def retries_done(self) -> None:
        """Wait for the polling retries in flight (tests, and a graceful stop)."""
        while self._retrying:
            await asyncio.gather(*self._retrying, return_exceptions=True)

    async def process(self, data: object, bot: Bot) -> str:
        """One webhook update: applied, replies sent and saved when this returns.

        A failure the store or Telegram may recover from raises `RetryLater` (the webhook
        answers 503 and Telegram sends the update again; nothing was saved). Any other
        failure is a bug: the user is asked to try again and the update counts as handled.
        JSON that is not an Update raises `NotAnUpdate` (400, nothing logged but its type).
        """
        update = Incoming.from_json(data)  # NotAnUpdate: the webhook answers 400
        try:
            if update.kind == "button":
                return await self.button(update, bot)
            if update.kind in ("message", "edited"):
                return await self.message(update, bot)
            return "ignored"
        except RetryLater:
            raise
        except (NetworkError, RetryAfter) as error:
            if isinstance(error, BadRequest):  # PTB's BadRequest is a NetworkError: a bug here
                await self.report(update, bot, error)
                return "error"
            # Telegram unreachable, timing out or throttling us: nothing was saved
            raise RetryLater(type(error).__name__) from error
        except Exception as error:
            await self.report(update, bot, error)
            return "error"

    # -- updates -------------------------------------------------------------------------

    async def message(self, update: Incoming, bot: Bot) -> str:
        handling = _handling.set((update.update_id, time.perf_counter()))
        try:
            return await self._message(update, bot)
        finally:
            _handling.reset(handling)

    async def _message(self, update: Incoming, bot: Bot) -> str:
        chat_id = update.chat_id
        if update.kind not in ("message", "edited") or chat_id is None:
            return "ignored"
        if not update.private or update.user_id is None:
            await self._send(bot, chat_id, [Reply(texts.PRIVATE_ONLY)])
            return _logged("group", None, "private_only")
        key, code = user_key(update.user_id), update.language_code
        if (limited := await self._flooding(key, code)) is not None:
            await self._send(bot, chat_id, limited)
            return _logged("message", None, "rate_limited")
        if update.kind == "edited":  # read by the engine: an edit of a photo's caption too
            assert update.message_id is not None
            event = Event.edited(update.text or "", update.message_id)
        elif update.text is None:
            where = await self.runner.where(key, code)
            hint = Reply(translate(where.speaks, texts.TEXT_ONLY))
            await self._send(bot, chat_id, [hint, where.prompt()])
            return _logged("other", where.prompt().question, "text_only")
        else:
            event = event_from_text(update.text, update.message_id)
        courier = self._courier(bot, key, chat_id)
        turn = await self.runner.turn(key, event, code, update.update_id, courier)
        if turn is None:
            return _logged(_kind(event), None, "duplicate")
        self._count(_kind(event), turn)
        await self._follow_language(bot, chat_id, code, turn)
        return _logged(_kind(event), turn.before, turn.outcome)

    async def button(self, update: Incoming, bot: Bot) -> str:
        if update.kind != "button" or update.query_id is None:
            return "ignored"
        query_id = update.query_id
        answered = False
        handling = _handling.set((update.update_id, time.perf_counter()))

        async def answer(text: str | None = None) -> None:
            nonlocal answered
            answered = True
            try:
                await answer_callback_query(bot, query_id, text)
            except BadRequest as error:
                # Answered already (this is Telegram's retry of an update whose save failed)
                # or too old to answer: cosmetic, the press itself must still be applied.
                log.warning("could not answer the button press: %s", error_names(error))

        try:
            return await self._button(update, bot, answer)
        finally:
            _handling.reset(handling)
            if not answered:  # every press is answered, even when handling it failed
                with suppress(TelegramError):
                    await answer_callback_query(bot, query_id, None)

    async def _button(
        self,
        update: Incoming,
        bot: Bot,
        answer: Callable[[str | None], Awaitable[None]],
    ) -> str:
        chat_id = update.chat_id
        if chat_id is None or not update.private or update.user_id is None:
            await answer(texts.PRIVATE_ONLY)
            return _logged("button", None, "private_only")
        key, code = user_key(update.user_id), update.language_code
        if (limited := await self._flooding(key, code)) is not None:
            await answer(limited[0].text if limited else None)
            return _logged("button", None, "rate_limited")
        decoded = decode_callback(update.data)
        if decoded is None:
            where = await self.runner.where(key, code)
            await answer(translate(where.speaks, texts.BUTTON_INVALID))
            await self._send(bot, chat_id, [where.prompt()])
            return _logged("button", where.prompt().question, "forged")
        question, option_id = decoded
        await answer(None)  # at once: the button stops spinning while the turn runs
        courier = self._courier(bot, key, chat_id, mark=_mark_chosen(update))
        event = Event.button(option_id, question)
        turn = await self.runner.turn(key, event, code, update.update_id, courier)
        if turn is None:
            return _logged("button", None, "duplicate")
        self._count("button", turn)
        await self._follow_language(bot, chat_id, code, turn)
        return _logged("button", turn.before, "accepted" if turn.accepted else "stale")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = Incoming.from_update(update) if isinstance(update, Update) else None
        await self.report(incoming, context.bot, context.error)

    async def report(self, update: Incoming | None, bot: Bot, error: BaseException | None) -> None:
        """Log the failure without personal data; tell the user to try again."""
        log.error("update failed: %s\n%s", error_names(error), error_frames(error))
        if update is None or not update.private:
            return
        if update.user_id is None or update.chat_id is None:
            return
        try:
            where = await self.runner.where(user_key(update.user_id), update.language_code)
            replies = [Reply(translate(where.speaks, texts.TRY_AGAIN)), where.prompt()]
        except Exception:  # the store or the engine is what failed: say so all the same
            lang = language_from_code(update.language_code) or DEFAULT_LANGUAGE
            replies = [Reply(translate(lang, texts.TRY_AGAIN))]
        try:
            await self._send(bot, update.chat_id, replies)
        except Exception as again:
            log.error("could not tell the user about the failure: %s", error_names(again))

    async def post_init(self, application: Application) -> None:
        """PTB's start-up hook under polling: register the bot's profile (command menus,
        descriptions; failures are logged), and load the typed-answer reader's language
        tools off the loop before the first update."""
        await set_profile(application.bot, self.runner.engine.retention_days)
        await asyncio.to_thread(self.runner.engine.reader.warm_up)

    # -- helpers -------------------------------------------------------------------------

    async def _flooding(self, key: str, code: str | None) -> list[Reply] | None:
        """None if this chat may go on; else what to tell it (nothing, after the first time)."""
        verdict = self.rate_limit.check(key)
        if verdict is RateDecision.ALLOW:
            return None
        if verdict is RateDecision.DROP:
            return []
        where = await self.runner.where(key, code)
        return [Reply(translate(where.speaks, texts.SLOW_DOWN))]

    async def _follow_language(
        self, bot: Bot, chat_id: int, code: str | None, turn: Turn
    ) -> None:
        """The command menu follows the user's language, not only their client's (after the
        turn is saved: a failure is only logged)."""
        if turn.forgotten:
            await reset_chat_menu(bot, chat_id)
        elif turn.language_changed:
            await set_chat_menu(bot, chat_id, turn.lang, code)

    def _count(self, kind: str, turn: Turn) -> None:
        """The turn's question, funnel step, verdict and reading: ids only, never content."""
        if self.metrics is None:
            return
        self.metrics.turn(
            kind, turn.before, turn.after, turn.verdict, turn.accepted, turn.forgotten,
            tuple(reply.notice for reply in turn.replies),
        )  # fmt: skip

    def _courier(
        self, bot: Bot, key: str, chat_id: int, mark: dict[str, object] | None = None
    ) -> TelegramCourier:
        on_retry = self.metrics.delivery_retry if self.metrics is not None else None
        return TelegramCourier(
            bot, self.runner.store, key, chat_id, self.pacing, self.delivery, mark, on_retry
        )

    async def _send(self, bot: Bot, chat_id: int, replies: list[Reply]) -> None:
        """Messages outside a turn (hints, apologies): paced and retried, never stored."""
        courier = self._courier(bot, user_key(chat_id), chat_id)
        for message in render(replies):
            await courier.send(outbox_message(message), _nothing_to_hold)


def _mark_chosen(update: Incoming) -> dict[str, object] | None:
    """The edit that turns the pressed question into a record: its text, "→ label", no
    keyboard (or only the keyboard removed, when that would not fit or the message is
    formatted, as a verdict is: its text arrives plain and would lose its bold and quotes).
    Cosmetic: it goes out just before the turn's first reply, and a failure is only logged."""
    if update.message_id is None or not update.buttons:
        return None
    label = next((text for text, data in update.buttons if data == update.data), None)
    if label is None:
        return None
    text = update.message_text  # unformatted (else None): its HTML is its text
    marked = f"{escape(text)}\n→ {escape(label)}" if text else None
    if marked is not None and len(marked.encode("utf-16-le")) // 2 <= MAX_MESSAGE:
        return {"method": "editMessageText", "message_id": update.message_id, "text": marked}
    return {"method": "editMessageReplyMarkup", "message_id": update.message_id}


async def _nothing_to_hold() -> None:
    """A message outside a turn holds no chat lock."""


def _kind(event: Event) -> str:
    if event.kind is Kind.COMMAND:
        return f"command:{event.value if event.value in KNOWN_COMMANDS else 'other'}"
    return str(event.kind)


class Handled(str):
    """An update's outcome ("advanced", "stale", ...), which also says the update's kind."""

    kind: str

    def __new__(cls, outcome: str, kind: str) -> Handled:
        handled = super().__new__(cls, outcome)
        handled.kind = kind
        return handled


def _logged(kind: str, question: str | None, outcome: str) -> Handled:
    """The one INFO line per update: its kind, the question open before it and the outcome,
    with the update id, the consultation and the latency so far as fields (logs.FIELDS)."""
    fields: dict[str, object] = {"kind": kind, "question": question or "-", "outcome": outcome}
    if question and "." in question:
        fields["consultation"] = question.split(".")[0]
    handling = _handling.get()
    if handling is not None:
        update_id, started = handling
        fields["update_id"] = update_id
        fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    log.info("update=%s question=%s outcome=%s", kind, question or "-", outcome, extra=fields)
    return Handled(outcome, kind)

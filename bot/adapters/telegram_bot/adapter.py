"""The Telegram adapter: long polling with python-telegram-bot, inline keyboards for options.

    Update ──► TelegramAdapter ──► Event ──► TurnRunner.turn ──► [Reply] ──► sendMessage
                 │ private chats only; groups get one bilingual line and nothing is stored
                 │ callback_data = "<question>|<option id>" (≤ 64 bytes, checked at start-up)
                 └ a press the engine accepts edits its message into "question\\n→ answer"

`build_application` wires everything into a PTB `Application` (reused by the tests and by a
later webhook mode); `serve` is `zansai polling`. Logs carry update kind, question id and
outcome only: never the token, the user's text or amounts.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import re
import sys
import traceback
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from telegram import Bot, BotCommand, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram_bot.metrics import Metrics
from bot.adapters.telegram_bot.ratelimit import ChatRateLimit
from bot.adapters.telegram_bot.ratelimit import Verdict as RateVerdict
from bot.adapters.telegram_bot.updates import Incoming
from bot.core import texts
from bot.core.commands import MENU as COMMANDS  # (name, help msgid), in menu order
from bot.core.engine import Engine
from bot.core.events import Choice, Event, Kind, Reply
from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_from_code, translate
from bot.storage import RetryLater
from bot.turns import Turn, TurnRunner

log = logging.getLogger(__name__)

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)
MAX_MESSAGE = 4096  # Telegram's limit per message, counted here in UTF-16 units of the HTML
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data, in UTF-8 bytes
SEPARATOR = "|"
_PART = re.compile(r"[\w.-]+", re.ASCII)  # what a question key or an option id may contain
TOKEN_FORMAT = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{30,64}")
ROW_WIDTH = 12  # options all this narrow (CJK characters count 2) share one keyboard row

KNOWN_COMMANDS = frozenset(name for name, _ in COMMANDS)


# -- callback data -----------------------------------------------------------------------


def encode_callback(question: str, option_id: str) -> str:
    """`question|option`, refused if Telegram would refuse it or it could not be read back."""
    data = f"{question}{SEPARATOR}{option_id}"
    if not (_PART.fullmatch(question) and _PART.fullmatch(option_id)):
        raise ValueError(f"callback data {data!r}: ids may only use letters, digits, _ . -")
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data {data!r} is longer than {MAX_CALLBACK_BYTES} bytes")
    return data


def decode_callback(data: object) -> tuple[str, str] | None:
    """(question, option id), or None for anything this bot cannot have sent."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
        return None
    question, sep, option_id = data.partition(SEPARATOR)
    if not sep or not _PART.fullmatch(question) or not _PART.fullmatch(option_id):
        return None
    return question, option_id


def check_callback_data(engine: Engine) -> int:
    """Encode every button once so that a flow Telegram cannot carry fails at start-up."""
    count = 0
    for reply in engine.every_prompt():
        for choice in reply.options:
            encode_callback(reply.question or "", choice.id)
            count += 1
    return count


# -- rendering ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message: HTML text and, on a message that ends with options, the inline
    keyboard as the Bot API's JSON."""

    text: str
    markup: str | None = None


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def html_size(text: str) -> int:
    """The length Telegram checks, measured on the escaped text in UTF-16 units (safe side)."""
    return len(escape(text).encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut `text` into parts whose HTML fits `limit`: at paragraphs, else lines, else anywhere."""
    parts: list[str] = []
    rest = text
    while html_size(rest) > limit:
        low, high = 1, len(rest)  # the longest prefix that fits
        while low < high:
            middle = (low + high + 1) // 2
            if html_size(rest[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        head = rest[:low]
        for boundary in ("\n\n", "\n"):
            cut = head.rfind(boundary)
            if cut > 0:
                parts.append(head[:cut])
                rest = rest[cut + len(boundary) :]
                break
        else:
            parts.append(head)
            rest = rest[low:]
    parts.append(rest)
    return [part if part.strip() else "…" for part in parts]


@lru_cache(maxsize=1024)
def keyboard(question: str, options: tuple[Choice, ...]) -> str:
    """The inline keyboard as JSON, built once per question and language: one row when every
    label is narrow, else one button per row."""
    buttons = [{"text": c.label, "callback_data": encode_callback(question, c.id)} for c in options]
    narrow = all(_width(c.label) <= ROW_WIDTH for c in options)
    rows = [buttons] if narrow else [[button] for button in buttons]
    return json.dumps({"inline_keyboard": rows}, separators=(",", ":"))


def _width(label: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)


def render(replies: Sequence[Reply], limit: int = MAX_MESSAGE) -> list[Outgoing]:
    """A turn's replies as Telegram messages, as few as fit: consecutive replies share one
    message (one notification, not five), separated by a blank line; a reply with options
    ends its message and carries the keyboard; a message too long is split at paragraphs."""
    messages: list[Outgoing] = []
    texts: list[str] = []
    for reply in replies:
        texts.append(reply.text)
        if reply.options and reply.question:
            messages += _message("\n\n".join(texts), keyboard(reply.question, reply.options), limit)
            texts = []
    if texts:
        messages += _message("\n\n".join(texts), None, limit)
    return messages


def _message(text: str, markup: str | None, limit: int) -> list[Outgoing]:
    """One message's text, split where it must be; the keyboard goes on the last part."""
    parts = split_text(text, limit)
    last = len(parts) - 1
    return [Outgoing(escape(part), markup if i == last else None) for i, part in enumerate(parts)]


def event_from_text(text: str) -> Event:
    """A command for "/name arg" ("/name@bot" too), anything else typed text.

    Unlike the console, "@id" is not a button here: on Telegram it is just text.
    """
    if text.strip().startswith("/") and len(text.strip()) > 1:
        return Event.parse(text)
    return Event.text(text)


def user_key(user_id: int) -> str:
    return f"telegram:{user_id}"


# -- the adapter -------------------------------------------------------------------------


class TelegramAdapter:
    """Turns updates into engine turns and replies into messages; holds no state itself.

    `message` and `button` take any `Bot`, so polling (PTB's handlers below) and the webhook
    (`process`, no PTB dispatch) run the very same code. Each returns an outcome name for
    logs and metrics.
    """

    def __init__(
        self,
        runner: TurnRunner,
        metrics: Metrics | None = None,
        rate_limit: ChatRateLimit | None = None,
    ) -> None:
        self.runner = runner
        self.metrics = metrics
        self.rate_limit = rate_limit or ChatRateLimit()

    def register(self, application: Application) -> None:
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.message(Incoming.from_update(update), context.bot)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.button(Incoming.from_update(update), context.bot)

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
            if update.kind == "message":
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
        chat_id = update.chat_id
        if update.kind != "message" or chat_id is None:
            return "ignored"
        if not update.private or update.user_id is None:
            await send_message(bot, chat_id, Outgoing(escape(texts.PRIVATE_ONLY)))
            return _logged("group", None, "private_only")
        key, code = user_key(update.user_id), update.language_code
        if (limited := await self._flooding(key, code)) is not None:
            await self._send(bot, chat_id, limited)
            return _logged("message", None, "rate_limited")
        if update.text is None:
            where = await self.runner.where(key, code)
            hint = Reply(translate(where.speaks, texts.TEXT_ONLY))
            await self._send(bot, chat_id, [hint, where.prompt()])
            return _logged("other", where.prompt().question, "text_only")
        event = event_from_text(update.text)

        async def deliver(turn: Turn) -> None:
            await self._send(bot, chat_id, turn.replies)

        turn = await self.runner.turn(key, event, code, update.update_id, deliver)
        if turn is None:
            return _logged(_kind(event), None, "duplicate")
        self._count(turn)
        return _logged(_kind(event), turn.before, turn.outcome)

    async def button(self, update: Incoming, bot: Bot) -> str:
        if update.kind != "button" or update.query_id is None:
            return "ignored"
        query_id = update.query_id
        answered = False

        async def answer(text: str | None = None) -> None:
            nonlocal answered
            answered = True
            try:
                await answer_callback_query(bot, query_id, text)
            except BadRequest as error:
                # Answered already (this is Telegram's retry of an update whose save failed)
                # or too old to answer: cosmetic, the press itself must still be applied.
                log.warning("could not answer the button press: %s", _error_names(error))

        try:
            return await self._button(update, bot, answer)
        finally:
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

        async def deliver(turn: Turn) -> None:
            await answer(None)
            if turn.accepted:
                await self._mark_chosen(update, bot)
            await self._send(bot, chat_id, turn.replies)

        event = Event.button(option_id, question)
        turn = await self.runner.turn(key, event, code, update.update_id, deliver)
        if turn is None:
            return _logged("button", None, "duplicate")
        self._count(turn)
        return _logged("button", turn.before, "accepted" if turn.accepted else "stale")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = Incoming.from_update(update) if isinstance(update, Update) else None
        await self.report(incoming, context.bot, context.error)

    async def report(self, update: Incoming | None, bot: Bot, error: BaseException | None) -> None:
        """Log the failure without personal data; tell the user to try again."""
        log.error("update failed: %s\n%s", _error_names(error), _frames(error))
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
            log.error("could not tell the user about the failure: %s", _error_names(again))

    async def post_init(self, application: Application) -> None:
        """Register the command menu: Japanese by default, Japanese and Chinese by client."""
        try:
            defaults = ((None, DEFAULT_LANGUAGE), *((lang, lang) for lang in LANGUAGES))
            for language_code, lang in defaults:
                commands = [BotCommand(name, translate(lang, msgid)) for name, msgid in COMMANDS]
                await application.bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:
            log.warning("could not register the command menu: %s", _error_names(error))

    # -- helpers -------------------------------------------------------------------------

    async def _flooding(self, key: str, code: str | None) -> list[Reply] | None:
        """None if this chat may go on; else what to tell it (nothing, after the first time)."""
        verdict = self.rate_limit.check(key)
        if verdict is RateVerdict.ALLOW:
            return None
        if verdict is RateVerdict.DROP:
            return []
        where = await self.runner.where(key, code)
        return [Reply(translate(where.speaks, texts.SLOW_DOWN))]

    def _count(self, turn: Turn) -> None:
        """Turns per open question and verdicts shown: ids only, never content."""
        if self.metrics is None:
            return
        self.metrics.turns[turn.before or "-"] += 1
        if turn.verdict is not None and turn.after:
            self.metrics.verdicts[turn.after] += 1

    async def _send(self, bot: Bot, chat_id: int, replies: list[Reply]) -> None:
        for message in render(replies):
            await send_message(bot, chat_id, message)

    async def _mark_chosen(self, update: Incoming, bot: Bot) -> None:
        """Turn the pressed question into a record: its text, "→ label", no keyboard."""
        if update.message_id is None or not update.buttons:
            return
        label = next((text for text, data in update.buttons if data == update.data), None)
        if label is None:
            return
        # Our messages carry no formatting, so their HTML is their text, escaped.
        text = update.message_text
        marked = f"{escape(text)}\n→ {escape(label)}" if text else None
        where = {"chat_id": update.chat_id, "message_id": update.message_id}
        try:
            if marked is not None and len(marked.encode("utf-16-le")) // 2 <= MAX_MESSAGE:
                await bot_api(bot, "editMessageText", **where, text=marked, parse_mode="HTML")
            else:
                await bot_api(bot, "editMessageReplyMarkup", **where)
        except TelegramError as error:  # cosmetic: the answer itself is saved already
            log.warning("could not mark the pressed button: %s", _error_names(error))


async def bot_api(bot: Bot, method: str, **params: object) -> None:
    """Call a Bot API method for its effect only, without building objects from the result.

    The results of sendMessage and editMessageText are never read here, and PTB spends about
    120 µs of CPU per call turning each into a `Message`. The name goes in lower case: the
    Bot API's method names are case-insensitive, and PTB's `do_api_request` warns when the
    name is one of its typed methods. Parameters that are None are left out (PTB drops them).
    """
    await bot.do_api_request(method.lower(), api_kwargs=params)


async def answer_callback_query(bot: Bot, query_id: str, text: str | None) -> None:
    await bot_api(bot, "answerCallbackQuery", callback_query_id=query_id, text=text)


async def send_message(bot: Bot, chat_id: int, message: Outgoing) -> None:
    await bot_api(
        bot,
        "sendMessage",
        chat_id=chat_id,
        text=message.text,
        parse_mode="HTML",
        reply_markup=message.markup,
    )


def _kind(event: Event) -> str:
    if event.kind is Kind.COMMAND:
        return f"command:{event.value if event.value in KNOWN_COMMANDS else 'other'}"
    return str(event.kind)


def _logged(kind: str, question: str | None, outcome: str) -> str:
    log.info("update=%s question=%s outcome=%s", kind, question or "-", outcome)
    return outcome


def _error_names(error: BaseException | None) -> str:
    """The exception's type and its causes' types; a Telegram error's own description too
    (it comes from the server, not from the user). Never the message of anything else."""
    names = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        name = type(error).__qualname__
        if isinstance(error, TelegramError) and not isinstance(error, InvalidToken):
            name += f"({error.message})"
        names.append(name)
        error = error.__cause__ or error.__context__
    return " <- ".join(names) or "unknown error"


def _frames(error: BaseException | None) -> str:
    """The traceback's frames (file, line, code), without the exception's message."""
    if error is None or error.__traceback__ is None:
        return "(no traceback)"
    return "".join(traceback.format_tb(error.__traceback__)).rstrip()


# -- building and running ----------------------------------------------------------------


def file_url(base_url: str) -> str:
    """A local Bot API server serves files next to the API: .../bot -> .../file/bot."""
    stripped = base_url.rstrip("/")
    if stripped.endswith("/bot"):
        return stripped[: -len("/bot")] + "/file/bot"
    return stripped


def build_application(token: str, runner: TurnRunner, base_url: str | None = None) -> Application:
    """The PTB Application with Zansai's handlers; the caller starts and stops it.

    Updates are processed one at a time (PTB's default): a session is loaded, advanced and
    saved per update, so two updates of one user must never run at once.
    """
    check_callback_data(runner.engine)
    adapter = TelegramAdapter(runner)
    builder = Application.builder().token(token).post_init(adapter.post_init)
    if base_url:
        builder = builder.base_url(base_url).base_file_url(file_url(base_url))
    application = builder.build()
    adapter.register(application)
    application.bot_data["adapter"] = adapter
    return application


class RedactToken(logging.Filter):
    """Replaces the bot token (and its secret half alone) in messages and exception text."""

    def __init__(self, token: str) -> None:
        super().__init__()
        secret = token.partition(":")[2]
        self.secrets = tuple(s for s in (token, secret) if len(s) >= 8)

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            message = str(record.msg)
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


# Libraries that log request URLs (with the token) or whole updates (with the user's text).
# transitions logs every state change at INFO: not personal, but not one line per update.
QUIET_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "transitions": logging.WARNING,
}


@contextmanager
def protected_logs(token: str) -> Iterator[RedactToken]:
    """Quiet the chatty libraries and redact the token on every root handler, then undo."""
    redact = RedactToken(token)
    handlers = list(logging.getLogger().handlers)
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    for handler in handlers:
        handler.addFilter(redact)
    try:
        yield redact
    finally:
        for handler in handlers:
            handler.removeFilter(redact)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _not_invalid_token(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def log_level(environ: Mapping[str, str] | None = None) -> int:
    """`ZANSAI_LOG_LEVEL` (DEBUG, INFO, WARNING, ERROR) for the handler a command sets up
    itself; INFO when unset or not a level name. Even DEBUG shows no token or user content."""
    name = (os.environ if environ is None else environ).get("ZANSAI_LOG_LEVEL", "")
    level = logging.getLevelName(name.strip().upper()) if name.strip() else logging.INFO
    return level if isinstance(level, int) else logging.INFO


class ConfigError(Exception):
    """A setting `zansai polling` cannot start with; the message is one line for stderr."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    base_url: str | None = None
    db: str | None = None


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines ("export", quotes and # comments allowed); a missing file is empty."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    values = {}
    for raw in lines:
        line = raw.strip()
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        if not sep or line.startswith("#") or not key.strip():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def load_settings(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """The environment first, then `.env` in the working directory."""
    values = read_dotenv(dotenv if dotenv is not None else Path(".env"))
    values.update({k: v for k, v in (os.environ if environ is None else environ).items() if v})
    token = values.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the environment "
            "or in a .env file here"
        )
    if not TOKEN_FORMAT.fullmatch(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456789:AA… as "
            "@BotFather gives it)"
        )
    base_url = values.get("ZANSAI_TELEGRAM_BASE_URL", "").strip() or None
    if base_url is not None and not re.match(r"https?://[^/]", base_url):
        raise ConfigError("ZANSAI_TELEGRAM_BASE_URL must start with http:// or https://")
    return Settings(token, base_url, values.get("ZANSAI_DB") or None)


def serve(
    db: str | None = None, *, environ: Mapping[str, str] | None = None, stderr: TextIO | None = None
) -> int:
    """`zansai polling`: run until Ctrl-C / SIGTERM. 2 for a bad token, 1 if unreachable."""
    from bot.app import build_runner, sqlite_url

    stderr = stderr or sys.stderr
    try:
        settings = load_settings(environ)
    except ConfigError as error:
        print(f"zansai polling: {error}", file=stderr)
        return 2
    root = logging.getLogger()
    own_handler = None
    if not root.handlers:  # not configured by whoever called us: log to stderr at INFO
        own_handler = logging.StreamHandler(stderr)
        own_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        root.addHandler(own_handler)
        root.setLevel(log_level(environ))
    handlers = list(root.handlers)
    for handler in handlers:  # a rejected token gets our one line below, not PTB's traceback
        handler.addFilter(_not_invalid_token)
    runner = build_runner(sqlite_url(db or settings.db))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with protected_logs(settings.token):
            application = build_application(settings.token, runner, settings.base_url)
            log.info("polling for updates")
            application.run_polling(allowed_updates=list(ALLOWED_UPDATES))
    except InvalidToken:
        print(
            "zansai polling: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); "
            "check it with @BotFather",
            file=stderr,
        )
        return 2
    except NetworkError as error:
        print(f"zansai polling: cannot reach the Bot API ({type(error).__name__})", file=stderr)
        return 1
    finally:
        asyncio.set_event_loop(None)
        if not loop.is_closed():  # PTB closes the loop it ran on
            loop.close()
        asyncio.run(runner.close())
        for handler in handlers:
            handler.removeFilter(_not_invalid_token)
        if own_handler is not None:
            root.removeHandler(own_handler)
    return 0

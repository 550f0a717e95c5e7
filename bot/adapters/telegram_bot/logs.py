"""Logs without secrets or personal data: the token redacted, chatty libraries quieted, and
errors described by their types and frames, never by messages that may quote the user."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from telegram.error import InvalidToken, TelegramError


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


def not_invalid_token(record: logging.LogRecord) -> bool:
    """A log filter: drop PTB's traceback for a rejected token (the command says it in one line)."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def error_names(error: BaseException | None) -> str:
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


def error_frames(error: BaseException | None) -> str:
    """The traceback's frames (file, line, code), without the exception's message."""
    if error is None or error.__traceback__ is None:
        return "(no traceback)"
    return "".join(traceback.format_tb(error.__traceback__)).rstrip()

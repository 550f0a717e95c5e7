"""Logs without secrets or personal data: the token redacted, chatty libraries quieted, and
errors described by their types and frames, never by messages that may quote the user."""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

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


# What a log line may carry besides its message: ids chosen by the code and numbers about the
# handling, never text, amounts or user ids. `update_id` is Telegram's sequence number of the
# update (it says nothing about who sent it).
FIELDS = ("update_id", "kind", "consultation", "question", "outcome", "latency_ms")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TextFormatter(logging.Formatter):
    """One line for people: time, level, logger, message, then update id, consultation,
    latency and worker when the line is about an update."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if getattr(record, "update_id", None) is None:
            return line
        extra = f"update_id={record.update_id}"
        if getattr(record, "consultation", None):
            extra += f" consultation={record.consultation}"
        if getattr(record, "latency_ms", None) is not None:
            extra += f" latency_ms={record.latency_ms}"
        first, newline, rest = line.partition("\n")
        return f"{first} ({extra} worker={os.getpid()}){newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, worker (pid) and the fields of
    FIELDS a line has; an exception as its (token-redacted) traceback text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "worker": os.getpid(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def make_handler(stream: TextIO, log_format: str = "text") -> logging.Handler:
    """A handler writing to `stream` in `log_format` ("text" or "json")."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return handler


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

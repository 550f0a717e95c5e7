"""What the Telegram modes read from the environment and `.env` (see `bot.config`): the token,
a local Bot API server's address, the database, the log level and format."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import merged

TOKEN_FORMAT = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{30,64}")


class ConfigError(Exception):
    """A setting a Telegram mode cannot start with; the message is one line for stderr."""


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The settings polling and the webhook share (the webhook's own: `WebhookSettings`)."""

    token: str
    base_url: str | None = None
    db: str | None = None


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = None
) -> TelegramSettings:
    """The environment first, then `.env` in the working directory (as `bot.config` reads
    every setting: `zansai` has loaded `.env` into the environment before any mode starts)."""
    values = merged(environ, dotenv)
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
    return TelegramSettings(token, base_url, values.get("ZANSAI_DB") or None)


def file_url(base_url: str) -> str:
    """A local Bot API server serves files next to the API: .../bot -> .../file/bot."""
    stripped = base_url.rstrip("/")
    if stripped.endswith("/bot"):
        return stripped[: -len("/bot")] + "/file/bot"
    return stripped


def log_level(environ: Mapping[str, str] | None = None) -> int:
    """`ZANSAI_LOG_LEVEL` (DEBUG, INFO, WARNING, ERROR) for the handler a command sets up
    itself; INFO when unset or not a level name. Even DEBUG shows no token or user content."""
    name = (os.environ if environ is None else environ).get("ZANSAI_LOG_LEVEL", "")
    level = logging.getLevelName(name.strip().upper()) if name.strip() else logging.INFO
    return level if isinstance(level, int) else logging.INFO


def log_format(environ: Mapping[str, str] | None = None) -> str:
    """`ZANSAI_LOG_FORMAT`: "json" (one object a line) or "text" (the default)."""
    name = (os.environ if environ is None else environ).get("ZANSAI_LOG_FORMAT", "")
    return "json" if name.strip().lower() == "json" else "text"

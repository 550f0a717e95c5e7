"""What the Telegram modes read from the environment and `.env`: the token, a local Bot API
server's address, the database, the log level."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TOKEN_FORMAT = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{30,64}")


class ConfigError(Exception):
    """A setting a Telegram mode cannot start with; the message is one line for stderr."""


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The settings polling and the webhook share (the webhook's own: `WebhookSettings`)."""

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


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = None
) -> TelegramSettings:
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

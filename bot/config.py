"""Every setting Zansai reads, one way in every mode: the environment, then `.env`.

`zansai` loads `.env` from the working directory once, before any mode starts
(`load_dotenv`, with python-dotenv): a variable set in the environment wins, one only in the
file is added to the environment. Every mode then reads `os.environ` alone, and the
webhook's worker processes inherit it. `SETTINGS` lists every ZANSAI_* and TELEGRAM_*
variable (a test checks that the code reads no other); `zansai config` prints their
effective values, secrets masked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values

PREFIXES = ("ZANSAI_", "TELEGRAM_")


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str  # as shown by `zansai config` ("" : unset)
    meaning: str
    secret: bool = False
    modes: str = "all"  # which commands read it


SETTINGS: tuple[Setting, ...] = (
    Setting("TELEGRAM_BOT_TOKEN", "", "the bot's token from @BotFather", True, "telegram"),
    Setting(
        "ZANSAI_TELEGRAM_BASE_URL", "https://api.telegram.org/bot",
        "a local Bot API server, e.g. http://127.0.0.1:8081/bot", modes="telegram",
    ),
    Setting("ZANSAI_STORE", "sqlite (ZANSAI_DB)", "sqlite:///PATH or redis://HOST:PORT/DB"),
    Setting("ZANSAI_DB", "~/.local/share/zansai/zansai.db", "the SQLite file"),
    Setting("ZANSAI_REDIS_PREFIX", "zansai:", "key prefix in Redis"),
    Setting("ZANSAI_SESSION_TTL", "7776000", "seconds of inactivity before a session is deleted"),
    Setting("ZANSAI_LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR", modes="telegram"),
    Setting("ZANSAI_LOG_FORMAT", "text", "text or json (--log-format)", modes="telegram"),
    Setting("ZANSAI_WEBHOOK_SECRET", "", "Telegram sends it in a header", True, "webhook"),
    Setting("ZANSAI_WEBHOOK_URL", "", "the public HTTPS URL (set-webhook)", modes="webhook"),
    Setting("ZANSAI_WEBHOOK_LISTEN", "127.0.0.1", "address to bind", modes="webhook"),
    Setting("ZANSAI_WEBHOOK_PORT", "8080", "port to bind", modes="webhook"),
    Setting("ZANSAI_WEBHOOK_PATH", "/telegram", "the path Telegram posts to", modes="webhook"),
    Setting("ZANSAI_WEBHOOK_WORKERS", "1", "worker processes (more than 1 needs Redis)",
            modes="webhook"),
    Setting("ZANSAI_WEBHOOK_MAX_IN_FLIGHT", "256", "updates a worker handles at once",
            modes="webhook"),
    Setting("ZANSAI_WEBHOOK_BODY_TIMEOUT", "10", "seconds a client may take to send a body",
            modes="webhook"),
    Setting("ZANSAI_READY_CACHE", "30", "seconds /readyz trusts a successful getMe",
            modes="webhook"),
    Setting("ZANSAI_RATE_PER_CHAT", "1", "replies per second to one chat, sustained",
            modes="telegram"),
    Setting("ZANSAI_BURST_PER_CHAT", "3", "replies one chat may get at once before pacing",
            modes="telegram"),
    Setting("ZANSAI_RATE_OVERALL", "30", "replies per second across all chats",
            modes="telegram"),
    Setting("ZANSAI_BURST_OVERALL", "30", "replies across chats at once before pacing",
            modes="telegram"),
    Setting("ZANSAI_METRICS_DIR", "a temporary folder",
            "with several workers, where they keep their metrics (emptied at start)",
            modes="webhook"),
)  # fmt: skip

# Read as the libraries read them (httpx, ssl): shown by `zansai config`, never parsed here.
ALSO_READ = (
    "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
)  # fmt: skip
# Variables a test or a tool reads; known, but no setting of the bot.
NOT_SETTINGS = ("ZANSAI_UPDATE_GOLDEN", "ZANSAI_BENCH_REDIS")

KNOWN = {setting.name for setting in SETTINGS}


def load_dotenv(
    path: str | Path = ".env", environ: MutableMapping[str, str] | None = None
) -> set[str]:
    """Add the variables of `.env` that the environment does not set (or sets empty) to the
    environment; returns their names. A missing file adds nothing."""
    environ = os.environ if environ is None else environ
    added = set()
    for name, value in read_dotenv(path).items():
        if not environ.get(name):
            environ[name] = value
            added.add(name)
    return added


def read_dotenv(path: str | Path = ".env") -> dict[str, str]:
    """The file's KEY=VALUE pairs (python-dotenv's syntax: export, quotes, # comments);
    empty for a missing or unreadable file."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        values = dotenv_values(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {name: value for name, value in values.items() if value is not None}


def merged(environ: Mapping[str, str] | None, dotenv: str | Path | None = None) -> dict[str, str]:
    """The environment over `.env`, as `load_dotenv` would leave it, without changing either."""
    values = read_dotenv(dotenv if dotenv is not None else ".env")
    values.update({k: v for k, v in (os.environ if environ is None else environ).items() if v})
    return values


def mask(name: str, value: str) -> str:
    """What `zansai config` shows of a value: secrets hidden, passwords in URLs hidden."""
    if not value:
        return value
    if name == "TELEGRAM_BOT_TOKEN":
        bot_id, _, rest = value.partition(":")
        return f"{bot_id}:**** ({len(rest)} characters hidden)" if rest else "****"
    if any(s.secret for s in SETTINGS if s.name == name):
        return f"**** ({len(value)} characters hidden)"
    return ", ".join(_mask_url(part) for part in value.split(",")) if "://" in value else value


def _mask_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    userinfo = "****" if parts.password is None else f"{parts.username or ''}:****"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def describe(environ: Mapping[str, str], from_dotenv: Iterable[str]) -> list[str]:
    """`zansai config`'s lines: each setting, its effective value (masked) and its source."""
    from_file = set(from_dotenv)
    lines = []
    width = max(len(s.name) for s in SETTINGS)
    for setting in SETTINGS:
        value = environ.get(setting.name, "")
        if value:
            source = ".env" if setting.name in from_file else "environment"
            shown = mask(setting.name, value)
        else:
            source, shown = "default", setting.default or "(unset)"
        lines.append(f"{setting.name:<{width}}  {shown}  [{source}; {setting.modes}]")
    also = [name for name in ALSO_READ if environ.get(name)]
    for name in also:
        source = ".env" if name in from_file else "environment"
        lines.append(f"{name:<{width}}  {mask(name, environ[name])}  [{source}; httpx/ssl]")
    unknown = sorted(
        name
        for name in environ
        if name.startswith(PREFIXES) and name not in KNOWN and name not in NOT_SETTINGS
    )
    for name in unknown:
        lines.append(f"{name:<{width}}  (not a Zansai setting: ignored; a typo?)")
    return lines


def config_main(environ: Mapping[str, str] | None = None, from_dotenv: Iterable[str] = ()) -> int:
    """`zansai config`: print the effective settings, secrets masked."""
    for line in describe(os.environ if environ is None else environ, from_dotenv):
        print(line)
    return 0


NAME_PATTERN = re.compile(r"\b(?:ZANSAI|TELEGRAM)_[A-Z0-9_]*[A-Z0-9]\b")

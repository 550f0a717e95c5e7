"""`zansai polling`: python-telegram-bot's Application fetching updates by long polling.

PTB's handlers hand each update to the same `TelegramAdapter` the webhook uses (the webhook
does not use PTB's Application: see `webhook.py`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Mapping
from typing import TextIO

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.adapters.telegram_bot.adapter import ALLOWED_UPDATES, TelegramAdapter
from bot.adapters.telegram_bot.callbacks import check_callback_data
from bot.adapters.telegram_bot.logs import make_handler, not_invalid_token, protected_logs
from bot.adapters.telegram_bot.settings import (
    ConfigError,
    file_url,
    load_settings,
    log_format,
    log_level,
)
from bot.turns import TurnRunner

log = logging.getLogger(__name__)


def build_application(token: str, runner: TurnRunner, base_url: str | None = None) -> Application:
    """The PTB Application with Zansai's handlers; the caller starts and stops it.

    Updates are processed one at a time (PTB's default), in the order Telegram sent them;
    a turn runs under its chat's lock in any case, as in the webhook.
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
        own_handler = make_handler(stderr, log_format(environ))
        root.addHandler(own_handler)
        root.setLevel(log_level(environ))
    handlers = list(root.handlers)
    for handler in handlers:  # a rejected token gets our one line below, not PTB's traceback
        handler.addFilter(not_invalid_token)
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
            handler.removeFilter(not_invalid_token)
        if own_handler is not None:
            root.removeHandler(own_handler)
    return 0

"""The command menu Telegram shows next to the input field.

`COMMANDS` is the one list of (name, help msgid) the adapter reads: the menu, in the order
Telegram shows it, and the command names logs may name. (It is to come from the engine's
command table once there is one; then only this import changes.)
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.adapters.telegram_bot.logs import error_names
from bot.core.commands import MENU
from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

log = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, str], ...] = MENU  # (name, help msgid) from the one command table
KNOWN_COMMANDS = frozenset(name for name, _ in COMMANDS)


async def set_command_menu(bot: Bot) -> None:
    """Register the menu: in the default language for every client, and in each language
    for the clients set to it. A failure is logged; the bot works without a menu."""
    try:
        defaults = ((None, DEFAULT_LANGUAGE), *((lang, lang) for lang in LANGUAGES))
        for language_code, lang in defaults:
            commands = [BotCommand(name, translate(lang, msgid)) for name, msgid in COMMANDS]
            await bot.set_my_commands(commands, language_code=language_code)
    except TelegramError as error:
        log.warning("could not register the command menu: %s", error_names(error))

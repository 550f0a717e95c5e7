"""The bot's profile in Telegram: the command menu, per language and per chat, and the
description and short description a new user sees before sending /start.

`COMMANDS` is the one list of (name, help msgid) the adapter reads: the menu, in the order
Telegram shows it, and the command names logs may name (from the engine's command table).

Telegram picks a chat's menu from the most specific list set: this chat's
(BotCommandScopeChat), else the one for the client's language, else the default. At start-up
`set_profile` sets one per language and the default (in DEFAULT_LANGUAGE); once a user picks
another language than their client's (/lang, a deep link, a language typed), `set_chat_menu`
gives their chat its own, and takes it away again when they go back (or /forget).

Nothing here may stop the bot: every failure is logged (the error's type and Telegram's
description only, never a text or the token) and the bot runs on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.adapters.telegram_bot.logs import error_names
from bot.core import texts
from bot.core.commands import MENU
from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_from_code, translate

log = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, str], ...] = MENU  # (name, help msgid) from the one command table
KNOWN_COMMANDS = frozenset(name for name, _ in COMMANDS)
MAX_DESCRIPTION = 512  # Telegram's limits, in characters
MAX_SHORT_DESCRIPTION = 120


def commands_in(lang: str) -> list[BotCommand]:
    return [BotCommand(name, translate(lang, msgid)) for name, msgid in COMMANDS]


def menu_language(language_code: str | None) -> str:
    """The language of the menu Telegram shows a client by default (set_command_menu)."""
    return language_from_code(language_code) or DEFAULT_LANGUAGE


def descriptions(days: int) -> list[tuple[str | None, str, str]]:
    """(language_code, description, short description) to register: one per language, and
    for every other client language (None) both languages at once where they fit Telegram's
    limits, else the default language's."""
    own = {
        lang: (
            translate(lang, texts.BOT_DESCRIPTION).format(days=days),
            translate(lang, texts.BOT_SHORT_DESCRIPTION),
        )
        for lang in LANGUAGES
    }
    both_long = "\n\n".join(own[lang][0] for lang in LANGUAGES)
    both_short = "\n".join(own[lang][1] for lang in LANGUAGES)
    default = (
        both_long if len(both_long) <= MAX_DESCRIPTION else own[DEFAULT_LANGUAGE][0],
        both_short if len(both_short) <= MAX_SHORT_DESCRIPTION else own[DEFAULT_LANGUAGE][1],
    )
    return [(None, *default), *((lang, *own[lang]) for lang in LANGUAGES)]


async def set_profile(bot: Bot, days: int) -> None:
    """At start-up: the command menus and the descriptions. Each call may fail on its own
    (logged); what is registered already is not set again."""
    await set_command_menu(bot)
    for language_code, description, short in descriptions(days):
        await _ensure(
            "description",
            lambda code=language_code: _description(bot, code),
            lambda code=language_code, text=description: bot.set_my_description(text, code),
            description,
        )
        await _ensure(
            "short description",
            lambda code=language_code: _short_description(bot, code),
            lambda code=language_code, text=short: bot.set_my_short_description(text, code),
            short,
        )


async def set_command_menu(bot: Bot) -> None:
    """Register the menu: in the default language for every client, and in each language
    for the clients set to it. A failure is logged; the bot works without a menu."""
    defaults = ((None, DEFAULT_LANGUAGE), *((lang, lang) for lang in LANGUAGES))
    for language_code, lang in defaults:
        try:
            await bot.set_my_commands(commands_in(lang), language_code=language_code)
        except Exception as error:
            log.warning("could not register the command menu: %s", error_names(error))


async def set_chat_menu(bot: Bot, chat_id: int, lang: str, language_code: str | None) -> None:
    """The user now speaks `lang`: their chat's menu in it, or, when that is the language
    their client gets anyway, no menu of its own."""
    scope = BotCommandScopeChat(chat_id)
    try:
        if lang == menu_language(language_code):
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(commands_in(lang), scope=scope)
    except Exception as error:  # cosmetic: the turn is applied and saved already
        log.warning("could not set the chat's command menu: %s", error_names(error))


async def reset_chat_menu(bot: Bot, chat_id: int) -> None:
    """/forget: the chat's own menu (it tells which language was chosen) goes too."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except Exception as error:
        log.warning("could not reset the chat's command menu: %s", error_names(error))


async def _description(bot: Bot, language_code: str | None) -> str:
    return (await bot.get_my_description(language_code)).description


async def _short_description(bot: Bot, language_code: str | None) -> str:
    return (await bot.get_my_short_description(language_code)).short_description


async def _ensure(
    what: str,
    current: Callable[[], Awaitable[str]],
    change: Callable[[], Awaitable[object]],
    wanted: str,
) -> None:
    """Set `what` to `wanted` unless it is so already (Telegram limits how often a bot may
    change its profile, and every worker sets it at start)."""
    try:
        if await current() != wanted:
            await change()
    except Exception as error:
        log.warning("could not register the bot's %s: %s", what, error_names(error))

"""The one command table: each command's name, its help text and its handler in the engine.

The engine dispatches through it, the Telegram adapter registers its menu from it and
/help is written from it, so a new command is one row here (and one method on `Engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.core import texts
from bot.core.i18n import translate


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command. `handler` names the `Engine` method that answers it, called with
    (session, event); `help` is its line in the menu and in /help (`help_line` instead, in
    /help, when the menu's wording does not fit there). Commands that `need_language` show
    the language picker first while no language is chosen."""

    name: str
    help: str
    handler: str
    need_language: bool = True
    help_line: str | None = None


# In the order the Telegram menu shows them.
COMMANDS = (
    # /start reads a deep link's payload first (it may name the language): it asks for a
    # language itself when it still needs one.
    Command("start", texts.COMMAND_START, "on_start", need_language=False),
    Command("back", texts.COMMAND_BACK, "on_back"),
    Command("restart", texts.COMMAND_RESTART, "on_restart"),
    Command("lang", texts.COMMAND_LANG, "on_lang", need_language=False),
    Command("summary", texts.COMMAND_SUMMARY, "on_summary"),
    Command("export", texts.COMMAND_EXPORT, "on_export"),
    Command("help", texts.COMMAND_HELP, "on_help", help_line=texts.COMMAND_HELP_LINE),
    Command("privacy", texts.COMMAND_PRIVACY, "on_privacy", need_language=False),
    Command("forget", texts.COMMAND_FORGET, "on_forget", need_language=False),
)
BY_NAME = {command.name: command for command in COMMANDS}
# (name, help msgid) pairs, as a bot's command menu takes them.
MENU = tuple((command.name, command.help) for command in COMMANDS)


@cache  # the catalogs do not change while the bot runs
def help_text(lang: str) -> str:
    """/help: what the bot does, then one line per command, /help's own ("this message")
    last."""
    ordered = sorted(COMMANDS, key=lambda command: command.name == "help")
    lines = [
        f"/{command.name} – {translate(lang, command.help_line or command.help)}"
        for command in ordered
    ]
    return "\n\n".join((translate(lang, texts.HELP), "\n".join(lines)))

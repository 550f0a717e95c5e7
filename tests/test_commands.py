"""The one command table: the engine, the Telegram menu and /help all come from it."""

from __future__ import annotations

import pytest

from bot.adapters.telegram_bot.menu import COMMANDS as TELEGRAM_MENU
from bot.app import build_engine
from bot.core import commands
from bot.core.events import Event
from bot.core.i18n import LANGUAGES, translate
from bot.core.session import Session


def test_the_telegram_menu_is_the_table():
    assert [name for name, _ in TELEGRAM_MENU] == [c.name for c in commands.COMMANDS]
    assert [msgid for _, msgid in TELEGRAM_MENU] == [c.help for c in commands.COMMANDS]


def test_every_handler_is_an_engine_method():
    engine = build_engine(warm_up=False)
    for command in commands.COMMANDS:
        assert callable(getattr(engine, command.handler)), command.name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_names_every_command_once_with_its_translated_line(lang):
    text = commands.help_text(lang)
    for command in commands.COMMANDS:
        line = f"/{command.name} – {translate(lang, command.help_line or command.help)}"
        assert text.count(f"/{command.name} ") == 1 and line in text.splitlines()
    assert text.splitlines()[-1].startswith("/help ")  # "this message" comes last


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_command_shows_the_help_text_then_the_open_question(lang):
    engine = build_engine(warm_up=False)
    session = Session("u", lang)
    replies = engine.handle(session, Event.command("help")).replies
    assert replies[0].text == commands.help_text(lang)
    assert replies[1].question == "menu"


def test_unknown_command_asks_for_a_language_first_then_explains():
    engine = build_engine(warm_up=False)
    session = Session("u")
    assert engine.handle(session, Event.command("frobnicate")).replies[0].question == "lang"
    session.lang = "ja"
    replies = engine.handle(session, Event.command("frobnicate")).replies
    assert "/help" in replies[0].text and replies[-1].question == "menu"

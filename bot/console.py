"""The console simulator: the same engine and store as the Telegram bot, in a terminal.

Interactive: options are numbered (letters where an amount can also be typed), and a
number, a letter, the label or any typed answer works. `--json`: one input per line on
stdin (`@id` presses a button, `/cmd` is a command, anything else is typed text), one
JSON object per bot message on stdout.
"""

from __future__ import annotations

import getpass
import json
import string
import sys
from collections.abc import Iterable
from typing import TextIO

from bot import texts
from bot.engine import LANG_PICKER, MENU, Conversations
from bot.events import Event, Reply
from bot.i18n import LANGUAGES, translate
from bot.session import Session

LETTERS = string.ascii_lowercase


def default_user() -> str:
    try:
        return f"console:{getpass.getuser()}"
    except Exception:  # no login name (containers): one shared console user
        return "console:local"


def state_name(session: Session | None) -> str:
    if session is None or session.lang is None or (session.pending or {}).get(LANG_PICKER):
        return LANG_PICKER
    if session.flow is None:
        return MENU
    return f"{session.flow}.{session.state}"


def as_json(reply: Reply, session: Session | None) -> str:
    return json.dumps(
        {
            "state": state_name(session),
            "text": reply.text,
            "options": [{"id": o.id, "label": o.label} for o in reply.options],
            "verdict": reply.verdict,
            "answers": dict(session.answers) if session else {},
            "lang": session.lang if session else None,
        },
        ensure_ascii=False,
    )


def option_keys(reply: Reply) -> list[str]:
    """1, 2, 3 for a choice; a, b for the buttons of a question that also takes an amount."""
    if reply.expects == "amount":
        return list(LETTERS[: len(reply.options)])
    return [str(i) for i in range(1, len(reply.options) + 1)]


def render(reply: Reply) -> str:
    lines = [reply.text]
    lines += [
        f"  {key}) {o.label}" for key, o in zip(option_keys(reply), reply.options, strict=False)
    ]
    return "\n".join(lines)


def event_for(line: str, last: Reply | None) -> Event:
    """Turn a typed line into an event, mapping an option number to its button."""
    key = line.strip().lower()
    if last is not None and last.options and key in option_keys(last):
        option = last.options[option_keys(last).index(key)]
        return Event.button(option.id, last.question)
    return Event.parse(line)


class Console:
    def __init__(self, conversations: Conversations, user: str, lang: str | None) -> None:
        self.conversations = conversations
        self.user = user
        self.lang = lang

    def opening(self) -> list[Reply]:
        """Resume a stored conversation, or start one in the requested language."""
        session = self.conversations.session(self.user)
        if session is None:
            first = Event.command("lang", self.lang) if self.lang else Event.command("start")
            return self.conversations.turn(self.user, first)
        if self.lang and self.lang != session.lang:
            return self.conversations.turn(self.user, Event.command("lang", self.lang))
        welcome_back = Reply(translate(session.lang or "ja", texts.RESUMED))
        return [welcome_back, *self.conversations.engine.current(session)]

    def run_json(self, lines: Iterable[str], out: TextIO) -> None:
        self._emit_json(self.opening(), out)
        for line in lines:
            self.run_json_line(line, out)

    def run_json_line(self, line: str, out: TextIO) -> None:
        if line.strip():
            self._emit_json(self.conversations.turn(self.user, Event.parse(line)), out)

    def _emit_json(self, replies: list[Reply], out: TextIO) -> None:
        session = self.conversations.session(self.user)
        for reply in replies:
            out.write(as_json(reply, session) + "\n")
        out.flush()

    def run_interactive(self, read=input, out: TextIO = sys.stdout) -> None:
        replies = self.opening()
        session = self.conversations.session(self.user)
        langs = [session.lang] if session and session.lang else list(LANGUAGES)  # not chosen yet
        hints = " / ".join(translate(lang, texts.CONSOLE_QUIT) for lang in langs)
        out.write(f"({hints})\n\n")
        while True:
            for reply in replies:
                out.write(render(reply) + "\n\n")
            out.flush()
            try:
                line = read("> ")
            except (EOFError, KeyboardInterrupt):
                out.write("\n")
                return
            if line.strip() in ("/quit", "/exit"):
                return
            if line.strip():
                last = replies[-1] if replies else None
                replies = self.conversations.turn(self.user, event_for(line, last))
            else:
                replies = []

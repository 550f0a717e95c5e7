"""The console simulator: the same engine, store and turn runner as the Telegram bot.

Interactive: options are numbered (letters where an amount can also be typed), and a
number, a letter, the label or any typed answer works. `--json`: one input per line on
stdin (`@id` presses a button, `/cmd` is a command, anything else is typed text), one
JSON object per bot message on stdout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import json
import string
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.core import texts
from bot.core.events import Document, Event, Kind, Reply
from bot.core.i18n import LANGUAGES, translate
from bot.turns import TurnRunner, Where

LETTERS = string.ascii_lowercase


def default_user() -> str:
    try:
        return f"console:{getpass.getuser()}"
    except Exception:  # no login name (containers): one shared console user
        return "console:local"


def as_json(reply: Reply, where: Where) -> str:
    return json.dumps(
        {
            "state": where.place,
            "text": reply.text,
            "options": [{"id": o.id, "label": o.label} for o in reply.options],
            "verdict": reply.verdict,
            "answers": where.answers,
            "lang": where.lang if where.stored else None,
        },
        ensure_ascii=False,
    )


def option_keys(reply: Reply) -> list[str]:
    """1, 2, 3 for a choice; a, b for the buttons of a question that also takes a typed
    value (an amount, a number, a duration or a date), so "3" is that value."""
    if reply.expects not in (None, "choice"):
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
    """One terminal user; each line is one turn of the shared turn runner, on one event loop."""

    def __init__(
        self,
        runner: TurnRunner,
        user: str,
        lang: str | None,
        loop: asyncio.Runner | None = None,
    ) -> None:
        self.runner = runner
        self.user = user
        self.lang = lang
        self._own_loop = loop is None
        self.loop = loop or asyncio.Runner()

    def close(self) -> None:
        """Close the store, and the event loop if this console made it."""
        self.loop.run(self.runner.close())
        if self._own_loop:
            self.loop.close()

    def turn(self, event: Event) -> list[Reply]:
        turn = self.loop.run(self.runner.turn(self.user, event))
        replies = turn.replies if turn is not None else []
        if any(reply.document for reply in replies):
            given = event.arg if event.kind is Kind.COMMAND and event.value == "export" else ""
            replies = [self._saved(reply, given) if reply.document else reply for reply in replies]
        return replies

    def _saved(self, reply: Reply, given: str) -> Reply:
        """Write a document the engine made (the plan) to the path given with /export, or
        beside the console in the current folder; say where it went."""
        document: Document = reply.document  # type: ignore[assignment]
        lang = self.where().speaks
        path = Path(given).expanduser() if given else Path()
        if path.is_dir():  # a folder (or none given): its own name, never over an earlier plan
            path = _unused(path / document.filename)
        try:
            path.write_bytes(document.content)
        except OSError as error:
            failed = translate(lang, texts.CONSOLE_SAVE_FAILED).format(error=error.strerror)
            return dataclasses.replace(reply, text=failed)
        saved = translate(lang, texts.CONSOLE_SAVED).format(path=path.resolve())
        return dataclasses.replace(reply, text=f"{reply.text}\n{saved}")

    def where(self) -> Where:
        return self.loop.run(self.runner.where(self.user))

    def opening(self) -> list[Reply]:
        """Resume a stored conversation, or start one in the requested language."""
        where = self.where()
        if not where.stored:
            first = Event.command("lang", self.lang) if self.lang else Event.command("start")
            return self.turn(first)
        if self.lang and self.lang != where.lang:
            return self.turn(Event.command("lang", self.lang))
        welcome_back = Reply(translate(where.speaks, texts.RESUMED))
        return [welcome_back, *where.current()]

    def run_json(self, lines: Iterable[str], out: TextIO) -> None:
        self._emit_json(self.opening(), out)
        for line in lines:
            self.run_json_line(line, out)

    def run_json_line(self, line: str, out: TextIO) -> None:
        if line.strip():
            self._emit_json(self.turn(Event.parse(line)), out)

    def _emit_json(self, replies: list[Reply], out: TextIO) -> None:
        where = self.where()
        for reply in replies:
            out.write(as_json(reply, where) + "\n")
        out.flush()

    def run_interactive(self, read=input, out: TextIO = sys.stdout) -> None:
        replies = self.opening()
        where = self.where()
        langs = [where.lang] if where.stored and where.lang else list(LANGUAGES)  # not chosen yet
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
                replies = self.turn(event_for(line, last))
            else:
                replies = []


def _unused(path: Path) -> Path:
    """`path`, or the first of path-2, path-3 … that does not exist yet."""
    number = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate

"""What adapters hand the engine (Event) and what they get back (Reply); no transport here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # something the user typed
    BUTTON = "button"  # a press on an option, by option id
    COMMAND = "command"  # /start, /back, ... (value without the slash)
    EDIT = "edit"  # the user changed a message sent earlier (`message`) to `value`


@dataclass(frozen=True, slots=True)
class Event:
    kind: Kind
    value: str
    # For a button: the question key the button was shown with (Reply.question), so a press
    # on an old message is recognised. None means "the current question" (console @id).
    question: str | None = None
    arg: str = ""  # for a command: the rest of the line ("/lang zh" -> "zh")
    # The id of the user's message that carried the text (Telegram's message_id), so that a
    # later edit of it can be recognised; None where messages have no id (the console).
    message: int | None = None

    @classmethod
    def text(cls, value: str, message: int | None = None) -> Event:
        return cls(Kind.TEXT, value, message=message)

    @classmethod
    def edited(cls, value: str, message: int) -> Event:
        """Message `message`, sent earlier, now reads `value` (Telegram's edited_message)."""
        return cls(Kind.EDIT, value, message=message)

    @classmethod
    def button(cls, option_id: str, question: str | None = None) -> Event:
        return cls(Kind.BUTTON, option_id, question)

    @classmethod
    def command(cls, name: str, arg: str = "") -> Event:
        return cls(Kind.COMMAND, name.lower(), arg=arg.strip())

    @classmethod
    def parse(cls, line: str) -> Event:
        """A console line: "/cmd arg" is a command, "@id" a button, anything else text."""
        stripped = line.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, arg = stripped[1:].partition(" ")
            return cls.command(name.split("@", 1)[0], arg)
        if stripped.startswith("@") and len(stripped) > 1 and " " not in stripped:
            return cls.button(stripped[1:])
        return cls.text(line)


@dataclass(frozen=True, slots=True)
class Section:
    """A named part of a verdict message ("Who to call" and its paragraphs)."""

    title: str
    text: str
    tick: bool = False  # its list items are things to do or bring (check boxes in the plan)


@dataclass(frozen=True, slots=True)
class Document:
    """A file to hand the user (the plan to keep): made in memory, never stored."""

    filename: str
    content: bytes
    media_type: str = "text/html"


@dataclass(frozen=True, slots=True)
class Choice:
    """An option as shown to the user: its stable id and its label in their language."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One bot message. `question` names what `options` answer ("car_sale.owner", "menu")."""

    text: str
    options: tuple[Choice, ...] = ()
    question: str | None = None
    verdict: str | None = None
    # While a question is open: "choice" (options only), or what else it takes typed:
    # "amount", "number", "duration" or "date" (bot/core/kinds.py).
    expects: str | None = field(default=None)
    notice: str | None = None  # an engine notice's id, e.g. "stale" for a refused button
    # A verdict's first message starts with its headline (Telegram shows it bold); the later
    # messages are named sections, and `text` is them written out (【title】 and text).
    headline: str | None = None
    sections: tuple[Section, ...] = ()
    document: Document | None = None

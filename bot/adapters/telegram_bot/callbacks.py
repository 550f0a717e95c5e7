"""The callback codec: what an inline button carries and how a press is read back.

callback_data is `<question>|<option id>`, at most 64 UTF-8 bytes (Telegram's limit). Every
button of every flow is encoded once at start-up, so a flow Telegram cannot carry fails
there and not in a user's chat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from bot.core.events import Reply

MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data, in UTF-8 bytes
SEPARATOR = "|"
_PART = re.compile(r"[\w.-]+", re.ASCII)  # what a question key or an option id may contain


def encode_callback(question: str, option_id: str) -> str:
    """`question|option`, refused if Telegram would refuse it or it could not be read back."""
    data = f"{question}{SEPARATOR}{option_id}"
    if not (_PART.fullmatch(question) and _PART.fullmatch(option_id)):
        raise ValueError(f"callback data {data!r}: ids may only use letters, digits, _ . -")
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data {data!r} is longer than {MAX_CALLBACK_BYTES} bytes")
    return data


def decode_callback(data: object) -> tuple[str, str] | None:
    """(question, option id), or None for anything this bot cannot have sent."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
        return None
    question, sep, option_id = data.partition(SEPARATOR)
    if not sep or not _PART.fullmatch(question) or not _PART.fullmatch(option_id):
        return None
    return question, option_id


class ShowsPrompts(Protocol):
    """The engine, as far as the codec needs it: every reply with buttons it can show."""

    def every_prompt(self) -> Iterable[Reply]: ...


def check_callback_data(engine: ShowsPrompts) -> int:
    """Encode every button once so that a flow Telegram cannot carry fails at start-up."""
    count = 0
    for reply in engine.every_prompt():
        for choice in reply.options:
            encode_callback(reply.question or "", choice.id)
            count += 1
    return count

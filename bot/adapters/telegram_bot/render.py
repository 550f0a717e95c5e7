"""Replies as Telegram messages: HTML-escaped text, split to fit, inline keyboards as JSON."""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.adapters.telegram_bot.callbacks import encode_callback
from bot.core.events import Choice, Document, Reply

MAX_MESSAGE = 4096  # Telegram's limit per message, counted here in UTF-16 units of the HTML
# Keyboards that fit a phone (about 20 CJK characters across; a CJK character counts 2):
ONE_ROW = 24  # up to MAX_ROW options this narrow all together share one row
MAX_ROW = 4
HALF_ROW = 16  # an option this narrow shares its row with a neighbour as narrow


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message: HTML text and, on a message that ends with options, the inline
    keyboard as the Bot API's JSON."""

    text: str
    markup: str | None = None
    document: Document | None = None  # then `text` is its caption


def escape(text: str) -> str:
    """Our messages carry no formatting, so their HTML is their text, escaped."""
    return html.escape(text, quote=False)


def html_size(text: str) -> int:
    """The length Telegram checks, measured on the escaped text in UTF-16 units (safe side)."""
    return len(escape(text).encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut `text` into parts whose HTML fits `limit`: at paragraphs, else lines, else anywhere."""
    parts: list[str] = []
    rest = text
    while html_size(rest) > limit:
        low, high = 1, len(rest)  # the longest prefix that fits
        while low < high:
            middle = (low + high + 1) // 2
            if html_size(rest[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        head = rest[:low]
        for boundary in ("\n\n", "\n"):
            cut = head.rfind(boundary)
            if cut > 0:
                parts.append(head[:cut])
                rest = rest[cut + len(boundary) :]
                break
        else:
            parts.append(head)
            rest = rest[low:]
    parts.append(rest)
    return [part if part.strip() else "…" for part in parts]


@lru_cache(maxsize=1024)
def keyboard(question: str, options: tuple[Choice, ...]) -> str:
    """The inline keyboard as JSON, built once per question and language, laid out to fit a
    phone (`rows`)."""
    buttons = [{"text": c.label, "callback_data": encode_callback(question, c.id)} for c in options]
    layout = [[buttons[i] for i in row] for row in rows([c.label for c in options])]
    return json.dumps({"inline_keyboard": layout}, separators=(",", ":"))


def rows(labels: Sequence[str]) -> list[list[int]]:
    """Which options share a row (their indexes, in order). A few short ones all in one row
    (はい | いいえ); else a long label on a row of its own, so that a phone does not cut it,
    and short ones in pairs, in their order."""
    widths = [_width(label) for label in labels]
    if len(widths) <= MAX_ROW and sum(widths) <= ONE_ROW:
        return [list(range(len(widths)))] if widths else []
    laid: list[list[int]] = []
    waiting: int | None = None  # a short label waiting for a short neighbour
    for index, width in enumerate(widths):
        if width > HALF_ROW:
            if waiting is not None:
                laid.append([waiting])
                waiting = None
            laid.append([index])
        elif waiting is None:
            waiting = index
        else:
            laid.append([waiting, index])
            waiting = None
    if waiting is not None:
        laid.append([waiting])
    return laid


def _width(label: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)


def render(replies: Sequence[Reply], limit: int = MAX_MESSAGE) -> list[Outgoing]:
    """A turn's replies as Telegram messages, as few as fit: consecutive replies share one
    message (one notification, not five), separated by a blank line; a reply with options
    ends its message and carries the keyboard; a message too long is split at paragraphs."""
    messages: list[Outgoing] = []
    group: list[Reply] = []
    for reply in replies:
        if reply.document is not None:  # a file goes on its own, its text as the caption
            if group:
                messages += _message(group, None, limit)
                group = []
            messages.append(Outgoing(escape(reply.text), document=reply.document))
            continue
        group.append(reply)
        if reply.options and reply.question:
            messages += _message(group, keyboard(reply.question, reply.options), limit)
            group = []
    if group:
        messages += _message(group, None, limit)
    return messages


def formatted(reply: Reply) -> str:
    """A reply's HTML: a verdict's headline bold, its sections as a bold title over an
    expandable quote (folded until tapped); everything else, our text and what the user
    typed, escaped."""
    if reply.sections:
        return "\n\n".join(
            f"<b>{escape(s.title)}</b>\n<blockquote expandable>{escape(s.text)}</blockquote>"
            if s.title
            else escape(s.text)
            for s in reply.sections
        )
    if reply.headline and reply.text.startswith(reply.headline):
        rest = reply.text[len(reply.headline) :]
        return f"<b>{escape(reply.headline)}</b>{escape(rest)}"
    return escape(reply.text)


def _message(group: list[Reply], markup: str | None, limit: int) -> list[Outgoing]:
    """One message of replies: formatted when its text fits (Telegram counts the text, not
    the tags), else the plain text split where it must be; the keyboard goes on the last
    part."""
    text = "\n\n".join(reply.text for reply in group)
    if html_size(text) <= limit:
        return [Outgoing("\n\n".join(formatted(reply) for reply in group), markup)]
    parts = split_text(text, limit)
    last = len(parts) - 1
    return [Outgoing(escape(part), markup if i == last else None) for i, part in enumerate(parts)]

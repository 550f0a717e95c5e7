"""What the Telegram adapter reads from an update: a handful of fields, from either source.

Polling gets PTB's `Update` objects (`from_update`). The webhook gets JSON and reads it here
directly (`from_json`): building PTB's objects for an update cost about a quarter of the
webhook's CPU, and the adapter uses eleven fields of them. `from_json` is as strict as
`Update.de_json` about the parts it reads, and stricter about their types (a test checks
both agree on every update the benchmarks send and on edge cases); it raises `NotAnUpdate`
where PTB would fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType

Button = tuple[str, str | None]  # (label, callback_data) of an inline keyboard button


class NotAnUpdate(ValueError):
    """A webhook body this adapter cannot read as an update; the webhook answers 400."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update as the adapter sees it: a message, a button press, or something else."""

    update_id: int
    # "message", "edited" (an edited message), "button", or "other" (a kind not handled)
    kind: str
    chat_id: int | None = None
    private: bool = False  # a private chat with a user (not a group, channel or inline)
    user_id: int | None = None
    language_code: str | None = None
    text: str | None = None  # a message's text; None for stickers, photos, …
    query_id: str | None = None  # a press: the callback query to answer
    data: str | None = None  # a press: its callback_data
    # a message: its id; a press: the bot's message it was on (if accessible)
    message_id: int | None = None
    # a press: that message's text, if it carries no formatting (Telegram sends a formatted
    # message's text plain, its bold and quotes apart as entities: it is not rebuilt)
    message_text: str | None = None
    buttons: tuple[Button, ...] = ()  # that message's inline keyboard, row by row

    @classmethod
    def from_update(cls, update: Update) -> Incoming:
        user = update.effective_user
        user_id = user.id if user is not None else None
        code = user.language_code if user is not None else None
        if (query := update.callback_query) is not None:
            message = query.message
            chat = message.chat if message is not None else None
            keyboard: tuple[Button, ...] = ()
            text = None
            if isinstance(message, Message):
                text = None if _formatted(message.entities) else message.text
                if message.reply_markup is not None:
                    keyboard = tuple(
                        (b.text, b.callback_data)
                        for row in message.reply_markup.inline_keyboard
                        for b in row
                    )
            return cls(
                update.update_id,
                "button",
                chat.id if chat is not None else None,
                chat is not None and chat.type == ChatType.PRIVATE,
                user_id,
                code,
                query_id=query.id,
                data=query.data,
                message_id=message.message_id if isinstance(message, Message) else None,
                message_text=text,
                buttons=keyboard,
            )
        for kind, message in (("message", update.message), ("edited", update.edited_message)):
            if message is not None:
                chat = message.chat
                return cls(
                    update.update_id,
                    kind,
                    chat.id,
                    chat.type == ChatType.PRIVATE and user is not None,
                    user_id,
                    code,
                    text=message.text,
                    message_id=message.message_id,
                )
        return cls(update.update_id, "other")  # not handled: nothing else is read

    @classmethod
    def from_json(cls, data: object) -> Incoming:
        """Read a webhook body; NotAnUpdate for anything PTB could not read as an Update."""
        update = _object(data)
        update_id = _integer(update, "update_id")
        if "callback_query" in update:
            query = _object(update["callback_query"])
            query_id = _string(query, "id")
            user = _user(query.get("from"))
            _string(query, "chat_instance")
            pressed = _optional_string(query, "data")
            message = query.get("message")
            chat_id, private, message_id, text, keyboard = None, False, None, None, ()
            if message is not None:
                message = _object(message)
                chat_id, chat_type = _chat(message.get("chat"))
                private = chat_type == ChatType.PRIVATE
                message_id = _integer(message, "message_id")
                date = _integer(message, "date")
                if date != 0:  # 0: an inaccessible message, which carries nothing else
                    formatted = _formatted(message.get("entities"))
                    text = None if formatted else _optional_string(message, "text")
                    keyboard = _keyboard(message.get("reply_markup"))
            return cls(
                update_id,
                "button",
                chat_id,
                private,
                user[0],
                user[1],
                query_id=query_id,
                data=pressed,
                message_id=message_id,
                message_text=text,
                buttons=keyboard,
            )
        for kind, key in (("message", "message"), ("edited", "edited_message")):
            if key not in update:
                continue
            message = _object(update[key])
            message_id = _integer(message, "message_id")
            _integer(message, "date")
            chat_id, chat_type = _chat(message.get("chat"))
            sender = message.get("from")
            user_id, code = _user(sender) if sender is not None else (None, None)
            return cls(
                update_id,
                kind,
                chat_id,
                chat_type == ChatType.PRIVATE and user_id is not None,
                user_id,
                code,
                text=_optional_string(message, "text"),
                message_id=message_id,
            )
        return cls(update_id, "other")


# -- strict readers: what PTB's de_json requires of the parts read here -------------------


# Entities our HTML makes; Telegram finds others (commands, links) in plain text itself.
FORMATTING = frozenset({
    "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link",
    "blockquote", "expandable_blockquote",
})  # fmt: skip


def _formatted(entities: object) -> bool:
    """Whether a message's entities (JSON objects, or PTB's MessageEntity) format it."""
    if not isinstance(entities, list | tuple):
        return False
    types = (e.get("type") if isinstance(e, dict) else str(getattr(e, "type", "")) for e in
             entities)
    return any(isinstance(t, str) and t in FORMATTING for t in types)  # JSON may say anything


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotAnUpdate("not an object")
    return value


def _integer(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if type(value) is not int:  # bool is an int subclass, and PTB refuses it too
        raise NotAnUpdate(f"{key} is not an integer")
    return value


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise NotAnUpdate(f"{key} is not a string")
    return value


def _optional_string(data: dict[str, Any], key: str) -> str | None:
    return None if data.get(key) is None else _string(data, key)


def _chat(value: object) -> tuple[int, str]:
    chat = _object(value)
    return _integer(chat, "id"), _string(chat, "type")


def _user(value: object) -> tuple[int, str | None]:
    user = _object(value)
    if not isinstance(user.get("is_bot"), bool):
        raise NotAnUpdate("is_bot is not a boolean")
    _string(user, "first_name")
    return _integer(user, "id"), _optional_string(user, "language_code")


def _keyboard(value: object) -> tuple[Button, ...]:
    if value is None:
        return ()
    rows = _object(value).get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise NotAnUpdate("inline_keyboard is not a list of rows")
    buttons = []
    for row in rows:
        for button in row:
            button = _object(button)
            buttons.append((_string(button, "text"), _optional_string(button, "callback_data")))
    return tuple(buttons)

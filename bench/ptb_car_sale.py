"""`car_sale` the idiomatic PTB way: a ConversationHandler with PicklePersistence.

As PTB's own example `persistentconversationbot.py` does: `ConversationHandler(...,
persistent=True, name=...)`, one state per question, a `CallbackQueryHandler` with a
`pattern` per state for its buttons, a `MessageHandler(filters.TEXT & ~filters.COMMAND)`
for typed answers, `CommandHandler`s for /start, /back, /summary, /help, /forget in the
fallbacks (with a catch-all `CallbackQueryHandler` for stale buttons), the answers in
`context.user_data`. The handler bodies are `bench.peer_car_sale` (shared with the aiogram
peer, so both do the same dialogue with the same texts). A press is answered, the pressed
message is marked with the choice (`edit_message_text`, as ours marks it) and the next
message is sent.

Persistence: PTB's `PicklePersistence`, the persistence PTB ships and documents for
ConversationHandler (its example uses it); a `BasePersistence` on SQLite would be our own
code, not PTB's. One file, with `on_flush=True`: the changed user data and conversation
states are handed to it every `update_interval` (60 s) and written at shutdown. Its default,
`on_flush=False`, rewrites the whole file once per changed user and per changed conversation
at every 60-s update, which grows with the square of the users active in a minute
(`ptb_update` times it: `default_flush`); at the webhook's 4,096 chats PTB spent minutes in
it and answered nothing, so the peer gets PTB's cheapest setting. Either way it does not
save each turn before answering: a crash loses answers (with on_flush=True, everything
since the start).
"""

from __future__ import annotations

import functools
import pickle
import warnings
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench import peer_car_sale as dialogue
from bench.peer_car_sale import CONFIRM, DONE, FLOW, FLOW_ID, MENU, QUESTIONS, Keyboard, Message


@functools.cache
def markup(keyboard: Keyboard) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
         for row in keyboard]
    )


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, out: list[Message]) -> None:
    chat_id = update.effective_chat.id
    for text, keyboard in out:
        await context.bot.send_message(
            chat_id, text, reply_markup=markup(keyboard) if keyboard else None
        )


def reply(context: ContextTypes.DEFAULT_TYPE, turn: tuple[str, list[Message]]):
    state, out = turn
    context.user_data["state"] = state
    return state, out


async def mark_pressed(update: Update) -> None:
    """Answer the press and turn the pressed message into a record: its text, → the label."""
    query = update.callback_query
    await query.answer()
    message = query.message
    if message is not None and message.reply_markup is not None:
        chosen = next(
            (b.text for row in message.reply_markup.inline_keyboard for b in row
             if b.callback_data == query.data),
            None,
        )
        if chosen is not None:
            await query.edit_message_text(f"{message.text}\n→ {chosen}")


# -- handlers ----------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    code = update.effective_user.language_code if update.effective_user else None
    state, out = reply(context, dialogue.start(context.user_data, code))
    await send(update, context, out)
    return state


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    await mark_pressed(update)
    data = context.user_data
    if update.callback_query.data == f"{MENU}|{FLOW_ID}":
        state, out = reply(context, dialogue.open_flow(data))
    else:  # another consultation: not written here (the scripts only play car_sale)
        state, out = reply(context, dialogue.stale(MENU, data))
    await send(update, context, out)
    return state


async def on_menu_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    state, out = reply(context, dialogue.menu_typed(context.user_data, update.message.text))
    await send(update, context, out)
    return state


async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = context.user_data
    state = data["state"]
    await mark_pressed(update)
    option_id = update.callback_query.data.partition("|")[2]
    state, out = reply(context, dialogue.pressed(state, data, state, option_id))
    await send(update, context, out)
    return state


async def on_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = context.user_data
    state, out = reply(context, dialogue.typed(data["state"], data, update.message.text))
    await send(update, context, out)
    return state


async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = context.user_data
    await mark_pressed(update)
    answer = update.callback_query.data.partition("|")[2]
    state, out = reply(context, dialogue.confirmed(data["state"], data, answer))
    await send(update, context, out)
    return state


async def on_confirm_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = context.user_data  # a new amount typed instead of yes / no: the answer
    data.pop("pending", None)
    question_id = data["state"].removesuffix(CONFIRM)
    state, out = reply(context, dialogue.typed(question_id, data, update.message.text))
    await send(update, context, out)
    return state


async def on_finished(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = context.user_data
    await mark_pressed(update)
    choice = update.callback_query.data.partition("|")[2]
    state, out = reply(context, dialogue.finished(data["state"], data, choice))
    await send(update, context, out)
    return state


async def on_after_verdict(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = context.user_data
    state, out = reply(context, dialogue.after_verdict_typed(data["state"], data,
                                                             update.message.text))
    await send(update, context, out)
    return state


def _command(turn):
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        data = context.user_data
        state, out = reply(context, turn(data["state"], data))
        await send(update, context, out)
        return state

    return handler


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await send(update, context, dialogue.forget(context.user_data))
    return ConversationHandler.END


async def on_stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    await update.callback_query.answer()
    data = context.user_data
    state, out = reply(context, dialogue.stale(data["state"], data))
    await send(update, context, out)
    return state


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    states: dict[object, list] = {
        MENU: [
            CallbackQueryHandler(on_menu, pattern=rf"^{MENU}\|"),
            MessageHandler(text, on_menu_typed),
        ]
    }
    for question_id, question in QUESTIONS.items():
        key = rf"^{FLOW_ID}\.{question_id}"
        states[question_id] = [
            CallbackQueryHandler(on_answer, pattern=key + r"\|"),
            MessageHandler(text, on_typed),
        ]
        if question.is_money:
            states[question_id + CONFIRM] = [
                CallbackQueryHandler(on_confirm, pattern=key + r"\.confirm\|"),
                MessageHandler(text, on_confirm_typed),
            ]
    for verdict in FLOW.verdicts:
        states[f"{DONE}:{verdict.id}"] = [
            CallbackQueryHandler(on_finished, pattern=rf"^{FLOW_ID}\.{verdict.id}\|"),
            MessageHandler(text, on_after_verdict),
        ]
    with warnings.catch_warnings():  # per_message=False with CallbackQueryHandlers: intended
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("start", on_start)],
            states=states,
            fallbacks=[
                CommandHandler("start", on_start),
                CommandHandler("back", _command(dialogue.back)),
                CommandHandler("summary", _command(dialogue.summary)),
                CommandHandler("help", _command(dialogue.help_)),
                CommandHandler("forget", on_forget),
                CallbackQueryHandler(on_stale),
            ],
            name=FLOW_ID,
            persistent=True,
            allow_reentry=True,
        )


def persistence(path: Path | str, on_flush: bool = True) -> PicklePersistence:
    return PicklePersistence(filepath=path, on_flush=on_flush)  # one file, update_interval=60


def write_seed(path: Path, chats: list[tuple[int, str, dict[str, Any]]]) -> None:
    """A PicklePersistence file holding these chats (id, state, user data), as PTB writes it:
    how the bench brings a chat to the middle of its conversation before the load."""
    data = {
        "conversations": {FLOW_ID: {(chat, chat): state for chat, state, _ in chats}},
        "user_data": {chat: {**user, "state": state} for chat, state, user in chats},
        "chat_data": {},
        "bot_data": {},
        "callback_data": None,
    }
    with path.open("wb") as fp:
        pickle.dump(data, fp, protocol=pickle.HIGHEST_PROTOCOL)


def register(application: Application) -> None:
    application.add_handler(conversation())

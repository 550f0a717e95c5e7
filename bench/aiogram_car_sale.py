"""`car_sale` on aiogram 3, served as its documentation shows: a webhook peer for the bench.

    python -m bench.aiogram_car_sale --port P --secret S --base-url http://127.0.0.1:Q/bot
                                     [--redis URL --prefix PREFIX] [--workers N] [--seed FILE]

A `Dispatcher` with one `Router`; handlers chosen by async filters (`InState`: the FSM
state the update finds the chat in, and for a press whether its button belongs to that
state), the FSM on `MemoryStorage`, or `RedisStorage` (`--redis`) so that several workers
can share it, each with the per-chat lock aiogram provides for it (`SimpleEventIsolation`,
`RedisEventIsolation`); the webhook is aiogram's `SimpleRequestHandler` on aiohttp, with
its defaults (`handle_in_background=True`: it answers 200 at once and handles the update in
a task).
`--workers N` starts N such processes on one port (aiohttp's `reuse_port`). `--seed FILE`
(JSON: [chat id, state, data] per chat) is written into the storage with its own
`set_state` / `set_data` before serving: how the bench brings chats to the middle of their
conversation, as it seeds ours' store. The handler
bodies are `bench.peer_car_sale`, shared with the PTB peer: the same dialogue, buttons and
texts as ours. A press is answered, the pressed message marked with the choice
(`edit_text`, as ours does) and the next message sent.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import signal
import subprocess
import sys
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command, CommandStart, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bench import peer_car_sale as dialogue
from bench.peer_car_sale import CONFIRM, DONE, FLOW_ID, MENU, QUESTIONS, Keyboard
from bot.tools.fake_bot_api import TOKEN


@functools.cache
def markup(keyboard: Keyboard) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
            for row in keyboard
        ]
    )


def kind_of(raw_state: str | None) -> str | None:
    if raw_state is None:
        return None
    if raw_state == MENU:
        return "menu"
    if raw_state.startswith(DONE):
        return "done"
    if raw_state.endswith(CONFIRM):
        return "confirm"
    return "question" if raw_state in QUESTIONS else None


def key_of(raw_state: str) -> str:
    """The callback prefix of the buttons shown in this state."""
    if raw_state == MENU:
        return MENU
    if raw_state.startswith(DONE):
        return f"{FLOW_ID}.{raw_state.partition(':')[2]}"
    if raw_state.endswith(CONFIRM):
        return f"{FLOW_ID}.{raw_state.removesuffix(CONFIRM)}.confirm"
    return f"{FLOW_ID}.{raw_state}"


class InState(Filter):
    """The chat is in a state of this kind; for a press, its button belongs to that state."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def __call__(self, event: Message | CallbackQuery, raw_state: str | None = None) -> bool:
        if kind_of(raw_state) != self.kind:
            return False
        if isinstance(event, CallbackQuery):
            return (event.data or "").partition("|")[0] == key_of(raw_state or "")
        return event.text is not None and not event.text.startswith("/")


class Active(Filter):
    """In a consultation (any state): where /back, /summary and stale presses apply."""

    async def __call__(self, event: Any, raw_state: str | None = None) -> bool:
        return raw_state is not None


router = Router(name=FLOW_ID)


async def send(bot: Bot, chat_id: int, out: list[dialogue.Message]) -> None:
    for text, keyboard in out:
        await bot.send_message(chat_id, text, reply_markup=markup(keyboard) if keyboard else None)


async def apply(state: FSMContext, data: dict[str, Any], turn: tuple[str, list]) -> list:
    new_state, out = turn
    await state.set_state(new_state)
    await state.set_data(data)
    return out


async def mark_pressed(query: CallbackQuery) -> None:
    await query.answer()
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        chosen = next(
            (b.text for row in message.reply_markup.inline_keyboard for b in row
             if b.callback_data == query.data),
            None,
        )
        if chosen is not None:
            await message.edit_text(f"{message.text}\n→ {chosen}")


@router.message(CommandStart())
async def on_start(message: Message, state: FSMContext, bot: Bot) -> None:
    data: dict[str, Any] = {}
    code = message.from_user.language_code if message.from_user else None
    out = await apply(state, data, dialogue.start(data, code))
    await send(bot, message.chat.id, out)


@router.message(Command("forget"))
async def on_forget(message: Message, state: FSMContext, bot: Bot) -> None:
    out = dialogue.forget(await state.get_data())
    await state.clear()
    await send(bot, message.chat.id, out)


def _command(turn):
    async def handler(message: Message, state: FSMContext, raw_state: str, bot: Bot) -> None:
        data = await state.get_data()
        out = await apply(state, data, turn(raw_state, data))
        await send(bot, message.chat.id, out)

    return handler


router.message(Command("back"), Active())(_command(dialogue.back))
router.message(Command("summary"), Active())(_command(dialogue.summary))
router.message(Command("help"), Active())(_command(dialogue.help_))


@router.callback_query(InState("menu"))
async def on_menu(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    await mark_pressed(query)
    data = await state.get_data()
    turn = dialogue.open_flow(data) if query.data == f"{MENU}|{FLOW_ID}" \
        else dialogue.stale(MENU, data)
    await send(bot, query.from_user.id, await apply(state, data, turn))


@router.message(InState("menu"))
async def on_menu_typed(message: Message, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    out = await apply(state, data, dialogue.menu_typed(data, message.text or ""))
    await send(bot, message.chat.id, out)


@router.callback_query(InState("question"))
async def on_answer(query: CallbackQuery, state: FSMContext, raw_state: str, bot: Bot) -> None:
    await mark_pressed(query)
    data = await state.get_data()
    option_id = (query.data or "").partition("|")[2]
    out = await apply(state, data, dialogue.pressed(raw_state, data, raw_state, option_id))
    await send(bot, query.from_user.id, out)


@router.message(InState("question"))
async def on_typed(message: Message, state: FSMContext, raw_state: str, bot: Bot) -> None:
    data = await state.get_data()
    out = await apply(state, data, dialogue.typed(raw_state, data, message.text or ""))
    await send(bot, message.chat.id, out)


@router.callback_query(InState("confirm"))
async def on_confirm(query: CallbackQuery, state: FSMContext, raw_state: str, bot: Bot) -> None:
    await mark_pressed(query)
    data = await state.get_data()
    answer = (query.data or "").partition("|")[2]
    out = await apply(state, data, dialogue.confirmed(raw_state, data, answer))
    await send(bot, query.from_user.id, out)


@router.message(InState("confirm"))
async def on_confirm_typed(message: Message, state: FSMContext, raw_state: str, bot: Bot) -> None:
    data = await state.get_data()
    data.pop("pending", None)
    question_id = raw_state.removesuffix(CONFIRM)
    out = await apply(state, data, dialogue.typed(question_id, data, message.text or ""))
    await send(bot, message.chat.id, out)


@router.callback_query(InState("done"))
async def on_finished(query: CallbackQuery, state: FSMContext, raw_state: str, bot: Bot) -> None:
    await mark_pressed(query)
    data = await state.get_data()
    choice = (query.data or "").partition("|")[2]
    out = await apply(state, data, dialogue.finished(raw_state, data, choice))
    await send(bot, query.from_user.id, out)


@router.message(InState("done"))
async def on_after_verdict(message: Message, state: FSMContext, raw_state: str, bot: Bot) -> None:
    data = await state.get_data()
    out = await apply(state, data, dialogue.after_verdict_typed(raw_state, data,
                                                                message.text or ""))
    await send(bot, message.chat.id, out)


@router.callback_query(Active())
async def on_stale(query: CallbackQuery, state: FSMContext, raw_state: str, bot: Bot) -> None:
    await query.answer()
    data = await state.get_data()
    out = await apply(state, data, dialogue.stale(raw_state, data))
    await send(bot, query.from_user.id, out)


def storage(redis_url: str | None, prefix: str) -> tuple[BaseStorage, BaseEventIsolation]:
    """The FSM storage, and the per-chat lock aiogram pairs with it: with the webhook's
    background handling a chat's next update can arrive while its last one is still being
    handled, and without the lock both would read the same state."""
    if redis_url is None:
        return MemoryStorage(), SimpleEventIsolation()
    from aiogram.fsm.storage.redis import RedisStorage
    from redis.asyncio import BlockingConnectionPool, Redis

    # redis-py's default pool fails at once past 100 connections, and every update handled
    # in the background holds one: a pool that waits for a free connection instead.
    pool = BlockingConnectionPool.from_url(redis_url, max_connections=100, timeout=None)
    redis = RedisStorage(Redis(connection_pool=pool), key_builder=DefaultKeyBuilder(prefix=prefix))
    return redis, redis.create_isolation()


async def seed(fsm: BaseStorage, path: str) -> None:
    from aiogram.fsm.storage.base import StorageKey

    with open(path, encoding="utf-8") as fp:
        chats = json.load(fp)
    bot_id = int(TOKEN.partition(":")[0])
    for chat, state, data in chats:
        key = StorageKey(bot_id=bot_id, chat_id=chat, user_id=chat)
        await fsm.set_state(key, state)
        await fsm.set_data(key, data)
    await fsm.close()


def serve(args: argparse.Namespace) -> None:
    base = args.base_url.removesuffix("/bot")  # the fake Bot API, as PTB's base_url names it
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    bot = Bot(TOKEN, session=session)
    fsm, isolation = storage(args.redis, args.prefix)
    if args.seed and args.redis is None:  # in memory: this process's own storage
        asyncio.run(seed(fsm, args.seed))
    dispatcher = Dispatcher(storage=fsm, events_isolation=isolation)
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=args.secret).register(
        app, path="/telegram"
    )
    setup_application(app, dispatcher, bot=bot)
    web.run_app(app, host="127.0.0.1", port=args.port, reuse_port=args.workers > 1, print=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.aiogram_car_sale")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--redis", help="RedisStorage at this URL (default: MemoryStorage)")
    parser.add_argument("--prefix", default="fsm", help="RedisStorage key prefix")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", help="JSON [chat, state, data] per chat, stored first")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.seed and args.redis is not None and not args.worker:  # shared: written once
        asyncio.run(seed(storage(args.redis, args.prefix)[0], args.seed))
        args.seed = None
    if args.workers > 1 and not args.worker:  # N processes on one port (SO_REUSEPORT)
        argv = [sys.executable, "-m", "bench.aiogram_car_sale", "--port", str(args.port),
                "--secret", args.secret, "--base-url", args.base_url, "--prefix", args.prefix,
                "--workers", str(args.workers), "--worker"]
        argv += ["--redis", args.redis] if args.redis else []
        children = [subprocess.Popen(argv) for _ in range(args.workers)]

        def stop(signum: int, frame: object) -> None:
            for child in children:
                child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        for child in children:
            child.wait()
        return 0
    serve(args)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())

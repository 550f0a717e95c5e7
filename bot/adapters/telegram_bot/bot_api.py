"""The Bot API calls the adapter makes, for their effect only."""

from __future__ import annotations

from telegram import Bot

from bot.adapters.telegram_bot.render import Outgoing


async def bot_api(bot: Bot, method: str, **params: object) -> None:
    """Call a Bot API method for its effect only, without building objects from the result.

    The results of sendMessage and editMessageText are never read here, and PTB spends about
    120 µs of CPU per call turning each into a `Message`. The name goes in lower case: the
    Bot API's method names are case-insensitive, and PTB's `do_api_request` warns when the
    name is one of its typed methods. Parameters that are None are left out (PTB drops them).
    """
    await bot.do_api_request(method.lower(), api_kwargs=params)


async def answer_callback_query(bot: Bot, query_id: str, text: str | None) -> None:
    await bot_api(bot, "answerCallbackQuery", callback_query_id=query_id, text=text)


async def send_message(bot: Bot, chat_id: int, message: Outgoing) -> None:
    await bot_api(
        bot,
        "sendMessage",
        chat_id=chat_id,
        text=message.text,
        parse_mode="HTML",
        reply_markup=message.markup,
    )


async def send_document(bot: Bot, chat_id: int, message: Outgoing) -> None:
    """An upload, made from memory (the plan): PTB's typed method builds the multipart body."""
    document = message.document
    assert document is not None
    await bot.send_document(
        chat_id,
        document=document.content,
        filename=document.filename,
        caption=message.text,
        parse_mode="HTML",
    )

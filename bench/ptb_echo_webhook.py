"""The PTB webhook peer: PTB's own `Application.run_webhook` with `car_sale` written the
idiomatic PTB way (`bench.ptb_car_sale`: ConversationHandler, PicklePersistence), or with a
bare echo bot (`--bot echo`, the anchor of earlier runs).

    python -m bench.ptb_echo_webhook --port P --secret S --base-url http://127.0.0.1:Q/bot
                                     [--bot car_sale|echo] [--persistence FILE]

PTB's defaults throughout (tornado; updates processed one at a time; the bot's HTTPXRequest
pool of 256), listening on 127.0.0.1 at /telegram. Its webhook answers 200 as soon as the
update is queued, before a handler runs. A text is echoed back with `reply_text`; a press
is answered and its data sent back, as in `bench.ptb_update`'s offline anchor.
Needs tornado (`pip install "python-telegram-bot[webhooks]"`).
"""

from __future__ import annotations

import argparse
import logging
import sys

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.tools.fake_bot_api import TOKEN


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if query.message is not None:
        await context.bot.send_message(query.message.chat.id, query.data or "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ptb_echo_webhook")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--bot", choices=("car_sale", "echo"), default="car_sale")
    parser.add_argument("--persistence", default="ptb-car-sale.pickle", help="car_sale's file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    builder = Application.builder().token(args.token).base_url(args.base_url)
    if args.bot == "car_sale":
        from bench import ptb_car_sale

        application = builder.persistence(ptb_car_sale.persistence(args.persistence)).build()
        ptb_car_sale.register(application)
    else:
        application = builder.build()
        application.add_handler(MessageHandler(filters.TEXT, echo_text))
        application.add_handler(CallbackQueryHandler(echo_press))
    application.run_webhook(
        listen="127.0.0.1",
        port=args.port,
        url_path="telegram",
        secret_token=args.secret,
        webhook_url=f"http://127.0.0.1:{args.port}/telegram",
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

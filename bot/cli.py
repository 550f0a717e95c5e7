"""The `zansai` command. Each subcommand imports only what it needs (console never loads
`telegram`)."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zansai", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    console = commands.add_parser("console", help="talk to the bot in this terminal")
    console.add_argument("--lang", choices=["ja", "zh"], help="language to start in")
    console.add_argument(
        "--json", action="store_true", help="read one input per line, print JSON per message"
    )
    console.add_argument("--db", help="SQLite file (default: $ZANSAI_DB or the user data folder)")
    console.add_argument("--user", help="whose conversation to continue (default: your login)")

    polling = commands.add_parser(
        "polling",
        help="run the Telegram bot (long polling)",
        description="Run the Telegram bot. The token is read from $TELEGRAM_BOT_TOKEN or from "
        "a .env file in the working directory; $ZANSAI_TELEGRAM_BASE_URL points it at a local "
        "Bot API server.",
    )
    polling.add_argument("--db", help="SQLite file (default: $ZANSAI_DB or the user data folder)")
    return parser


def run_console(args: argparse.Namespace) -> int:
    from bot.console import Console, default_user
    from bot.engine import Conversations, Engine
    from bot.stores import SqliteStore
    from flows import FLOWS

    store = SqliteStore(args.db)
    console = Console(Conversations(Engine(FLOWS), store), args.user or default_user(), args.lang)
    try:
        if args.json:
            console.run_json(sys.stdin, sys.stdout)
        else:
            console.run_interactive()
    finally:
        store.close()
    return 0


def run_polling(args: argparse.Namespace) -> int:
    from bot.telegram import serve

    return serve(args.db)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"console": run_console, "polling": run_polling}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

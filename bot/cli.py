"""The `zansai` command. Each subcommand imports only what it needs (console never loads
`telegram`)."""

from __future__ import annotations

import argparse
import os
import sys
import types


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
    _log_format_option(polling)

    webhook = commands.add_parser(
        "webhook",
        help="serve the Telegram webhook (one process, or several workers sharing Redis)",
        description="Serve Telegram's webhook over HTTP; put a TLS proxy (nginx) in front. "
        "Every option also comes from its environment variable. The store is $ZANSAI_STORE: "
        "sqlite:///PATH (default, one worker) or redis://HOST:PORT/DB (several workers).",
    )
    _webhook_options(webhook)
    _log_format_option(webhook)
    webhook.add_argument("--listen", help="address to bind ($ZANSAI_WEBHOOK_LISTEN, 127.0.0.1)")
    webhook.add_argument("--port", type=int, help="port ($ZANSAI_WEBHOOK_PORT, 8080)")
    webhook.add_argument(
        "--workers", type=int, help="worker processes ($ZANSAI_WEBHOOK_WORKERS, 1)"
    )
    webhook.add_argument(
        "--max-in-flight",
        type=int,
        help="updates handled at once per worker before answering 503 "
        "($ZANSAI_WEBHOOK_MAX_IN_FLIGHT, 256)",
    )

    commands.add_parser(
        "graph",
        help="draw a flow's diagram from its state machine (see `zansai graph --help`)",
        add_help=False,
    )
    commands.add_parser(
        "lint", help="check every flow and catalog (see `zansai lint --help`)", add_help=False
    )

    set_webhook = commands.add_parser(
        "set-webhook", help="register the webhook URL and secret with Telegram (once)"
    )
    _webhook_options(set_webhook)
    commands.add_parser("delete-webhook", help="remove the webhook from Telegram")
    commands.add_parser(
        "config",
        help="print the effective settings (environment, then .env), secrets masked",
    )
    return parser


def _log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="log lines as text or one JSON object a line ($ZANSAI_LOG_FORMAT, text); "
        "never with the user's text, amounts or ids",
    )


def _webhook_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url-path", help="path Telegram posts to ($ZANSAI_WEBHOOK_PATH, /telegram)"
    )
    parser.add_argument(
        "--webhook-url",
        help="public HTTPS URL Telegram posts to ($ZANSAI_WEBHOOK_URL); "
        "`webhook` sets it once before starting when given",
    )
    parser.add_argument(
        "--secret", help="secret token Telegram sends in a header ($ZANSAI_WEBHOOK_SECRET)"
    )


def run_console(args: argparse.Namespace) -> int:
    from bot.adapters.console import Console, default_user
    from bot.app import build_runner, sqlite_url

    console = Console(build_runner(sqlite_url(args.db)), args.user or default_user(), args.lang)
    try:
        if args.json:
            console.run_json(sys.stdin, sys.stdout)
        else:
            console.run_interactive()
    finally:
        console.close()
    return 0


def run_polling(args: argparse.Namespace) -> int:
    from bot.adapters.telegram_bot.polling import serve

    return serve(args.db)


def _overrides(args: argparse.Namespace) -> dict:
    names = ("listen", "port", "url_path", "webhook_url", "secret", "workers", "max_in_flight")
    return {name: getattr(args, name, None) for name in names}


WEBHOOK_EXTRA = {"uvicorn", "httptools", "prometheus_client"}  # pyproject's [webhook]


def _webhook_module(command: str) -> types.ModuleType | None:
    """bot.adapters.telegram_bot.webhook, or None (said on stderr) without the extra."""
    try:
        from bot.adapters.telegram_bot import webhook
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] not in WEBHOOK_EXTRA:
            raise
        print(
            f"zansai {command}: {missing.name} is not installed; the webhook needs the extra: "
            "pip install 'zansai[webhook]'",
            file=sys.stderr,
        )
        return None
    return webhook


def run_webhook(args: argparse.Namespace) -> int:
    webhook = _webhook_module("webhook")
    return 2 if webhook is None else webhook.serve(_overrides(args))


def run_set_webhook(args: argparse.Namespace) -> int:
    webhook = _webhook_module("set-webhook")
    return 2 if webhook is None else webhook.set_webhook(_overrides(args))


def run_delete_webhook(args: argparse.Namespace) -> int:
    webhook = _webhook_module("delete-webhook")
    return 2 if webhook is None else webhook.delete_webhook()


# Subcommands with their own option parsing; everything after the name is theirs.
PASS_THROUGH = {"graph": ("bot.tools.graph", "graph_main"), "lint": ("bot.tools.lint", "lint_main")}


def main(argv: list[str] | None = None) -> int:
    from bot.config import config_main, load_dotenv

    argv = sys.argv[1:] if argv is None else argv
    # One way for every mode: `.env` fills in what the environment does not set.
    from_dotenv = load_dotenv()
    if argv and argv[0] in PASS_THROUGH:
        import importlib

        module, function = PASS_THROUGH[argv[0]]
        return getattr(importlib.import_module(module), function)(argv[1:])
    args = build_parser().parse_args(argv)
    if getattr(args, "log_format", None):  # the workers and every logger read it from here
        os.environ["ZANSAI_LOG_FORMAT"] = args.log_format
    handlers = {
        "console": run_console,
        "polling": run_polling,
        "webhook": run_webhook,
        "set-webhook": run_set_webhook,
        "delete-webhook": run_delete_webhook,
        "config": lambda args: config_main(from_dotenv=from_dotenv),
    }
    try:
        return handlers[args.command](args)
    except BrokenPipeError:  # `zansai console --json | head`: the reader left, so do we
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Webhook mode: the Telegram adapter behind the webhook HTTP layer, one or several workers.

`zansai webhook` starts uvicorn; each worker builds its app with `create_app()` from the
environment (the command line sets the ZANSAI_WEBHOOK_* variables before it forks), so N
workers share nothing but the store. `zansai set-webhook` / `delete-webhook` talk to
Telegram once, from one process, so workers never race `setWebhook`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import uvicorn
from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.request import BaseRequest, HTTPXRequest

from bot.adapters.telegram_bot.adapter import ALLOWED_UPDATES, TelegramAdapter
from bot.adapters.telegram_bot.callbacks import check_callback_data
from bot.adapters.telegram_bot.client import KeepAliveRequest
from bot.adapters.telegram_bot.logs import make_handler, protected_logs
from bot.adapters.telegram_bot.menu import set_profile
from bot.adapters.telegram_bot.metrics import Metrics
from bot.adapters.telegram_bot.settings import (
    ConfigError,
    file_url,
    load_settings,
    log_format,
    log_level,
)
from bot.adapters.telegram_bot.webhook_app import NotReady, WebhookApp, WebhookSettings
from bot.storage import LocalAsyncStore, open_store

log = logging.getLogger("zansai.webhook")

PROCESS_METRICS_EVERY = 10.0  # seconds between a worker's updates of its process metrics


class GracefulServer(uvicorn.Server):
    """uvicorn, but SIGTERM ends with exit code 0 once in-flight updates are done.

    (uvicorn re-raises the signal after its graceful shutdown, which exits with -15; with
    several workers the supervisor's own exit code is the one that counts, and it is 0.)
    """

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


BOT_API_URL = "https://api.telegram.org/bot"


def proxy_for(url: str) -> str | None:
    """The proxy the environment sets for `url`, None to connect directly: HTTPS_PROXY or
    HTTP_PROXY by the URL's scheme, else ALL_PROXY, unless NO_PROXY names its host (read by
    the standard library's rules, lower- or upper-case names)."""
    proxies = urllib.request.getproxies_environment()
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    return proxy


def make_bot(token: str, base_url: str | None, connections: int) -> Bot:
    """A Bot whose HTTP pool can carry every in-flight update at once (PTB's default is 1).

    Its requests go through `KeepAliveRequest` (tens of µs of CPU per call, against
    0.75–3.3 ms for httpx's pool under load); when the environment sets a proxy for the Bot
    API's URL (`proxy_for`), through PTB's `HTTPXRequest` with that proxy, as httpx
    understands proxies and our client does not.
    """
    request: BaseRequest
    proxy = proxy_for(base_url or BOT_API_URL)
    if proxy is not None:
        request = HTTPXRequest(connection_pool_size=connections, pool_timeout=10.0, proxy=proxy)
    else:
        request = KeepAliveRequest(connection_pool_size=connections, pool_timeout=10.0)
    if base_url:
        return Bot(token, base_url=base_url, base_file_url=file_url(base_url), request=request)
    return Bot(token, request=request)


def create_app() -> WebhookApp:
    """One worker's ASGI app, configured from the environment (uvicorn's factory)."""
    from bot.app import build_runner

    settings = WebhookSettings.from_env()
    telegram = load_settings()
    _configure_logging()
    guard = ExitStack()
    guard.enter_context(protected_logs(telegram.token))
    runner = build_runner()
    check_callback_data(runner.engine)
    store = runner.store
    metrics = Metrics()
    adapter = TelegramAdapter(runner, metrics=metrics)
    bot = make_bot(telegram.token, telegram.base_url, settings.max_in_flight)

    profile: list[asyncio.Task[None]] = []
    refresher: list[asyncio.Task] = []

    async def refresh_process_metrics() -> None:  # each worker's own, every few seconds
        while True:
            await asyncio.sleep(PROCESS_METRICS_EVERY)
            metrics.refresh_process()

    async def startup() -> None:
        await bot.initialize()
        # The bot's profile (command menus, descriptions) is registered alongside, never in
        # the way: a worker serves whether or not Telegram takes it (failures are logged).
        profile.append(asyncio.create_task(set_profile(bot, runner.engine.retention_days)))
        # The typed-answer reader's language tools load off the loop before the worker takes
        # updates, so no update waits for them (a worker serves only once this returns).
        await asyncio.to_thread(runner.engine.reader.warm_up)
        refresher.append(asyncio.create_task(refresh_process_metrics()))

    async def process(update: dict[str, Any]) -> str:
        return await adapter.process(update, bot)

    async def shutdown() -> None:
        for task in profile:
            task.cancel()
        await asyncio.gather(*profile, return_exceptions=True)
        try:
            for task in refresher:
                task.cancel()
            await bot.shutdown()
            await store.close()
        finally:
            metrics.close()
            guard.close()

    ready = readiness(store.ping, bot, float(os.environ.get("ZANSAI_READY_CACHE") or 30))
    return WebhookApp(settings, process, ready, metrics, startup=startup, shutdown=shutdown)


def readiness(
    ping: Callable[[], Awaitable[None]], bot: Bot, cache: float = 30.0
) -> Callable[[], Awaitable[None]]:
    """/readyz's check: the store answers (every time), and the Bot API answers getMe (a
    success is trusted for `cache` seconds, so probes do not become Bot API traffic; a
    failure is not cached). Raises NotReady saying which one is unreachable."""
    checked = [float("-inf")]  # when getMe last succeeded (loop time)

    async def ready() -> None:
        await ping()  # an error here: "store unreachable"
        now = asyncio.get_running_loop().time()
        if now - checked[0] < cache:
            return
        try:
            await bot.get_me(read_timeout=5, connect_timeout=5, write_timeout=5, pool_timeout=5)
        except Exception as error:  # TelegramError, OSError: Telegram cannot be reached
            raise NotReady("bot api unreachable") from error
        checked[0] = now

    return ready


def _configure_logging() -> None:
    """Lines to stderr unless the host configured logging, at INFO or `ZANSAI_LOG_LEVEL`, as
    text or JSON (`ZANSAI_LOG_FORMAT`); uvicorn's own loggers write through the same handler."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(make_handler(sys.stderr, log_format()))
        root.setLevel(log_level())


def serve(overrides: dict[str, Any], stderr: TextIO | None = None) -> int:
    """`zansai webhook`: validate, optionally set the webhook once, then run the workers."""
    stderr = stderr or sys.stderr
    try:
        settings = WebhookSettings.from_env(**overrides)
        telegram = load_settings()
        store = open_store()  # a malformed ZANSAI_STORE fails here, once, not in every worker
        shared = not isinstance(store, LocalAsyncStore)
        asyncio.run(store.close())
        if settings.workers > 1 and not shared:
            raise ValueError(
                "several workers need a shared store: set ZANSAI_STORE=redis://HOST:PORT/DB "
                "(SQLite is for one process)"
            )
    except (ValueError, ConfigError) as error:
        print(f"zansai webhook: {error}", file=stderr)
        return 2
    for name, variable in WebhookSettings.ENV.items():  # the workers read their settings from here
        value = getattr(settings, name)
        if value is not None:
            os.environ[variable] = str(value)
    if settings.webhook_url:
        status = asyncio.run(_set_webhook(telegram.token, telegram.base_url, settings, stderr))
        if status:
            return status
    _configure_logging()
    with _metrics_folder(settings.workers):
        return _run(settings, shared, stderr)


@contextmanager
def _metrics_folder(workers: int) -> Iterator[None]:
    """Several workers: prometheus_client's multiprocess mode, in ZANSAI_METRICS_DIR (emptied
    first, as prometheus_client requires) or a temporary folder removed afterwards. Each
    worker process reads PROMETHEUS_MULTIPROC_DIR when it starts."""
    if workers <= 1:
        yield
        return
    configured = os.environ.get("ZANSAI_METRICS_DIR")
    folder = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="zansai-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    try:
        yield
    finally:
        if not configured:
            shutil.rmtree(folder, ignore_errors=True)


def _run(settings: WebhookSettings, shared: bool, stderr: TextIO) -> int:
    config = uvicorn.Config(
        "bot.adapters.telegram_bot.webhook:create_app",
        factory=True,
        host=settings.listen,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through our handler (text or JSON)
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=30,
        backlog=2048,
    )
    where = "Redis" if shared else "SQLite"
    log.info(
        "listening on http://%s:%s%s (%s worker(s), sessions in %s)",
        settings.listen, settings.port, settings.url_path, settings.workers, where,
    )  # fmt: skip
    if settings.workers > 1:  # uvicorn's supervisor: restarts a worker that dies
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        GracefulServer(config).run()
    return 0


async def _set_webhook(
    token: str, base_url: str | None, settings: WebhookSettings, stderr: TextIO
) -> int:
    bot = make_bot(token, base_url, 1)
    try:
        async with bot:
            await bot.set_webhook(
                url=settings.webhook_url,
                secret_token=settings.secret,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=min(100, settings.max_in_flight),
            )
    except InvalidToken:
        print("zansai: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather", file=stderr)
        return 2
    except TelegramError as error:
        print(f"zansai: setWebhook failed: {type(error).__name__}: {error.message}", file=stderr)
        return 1
    print(f"zansai: webhook set to {settings.webhook_url}", file=stderr)
    return 0


def set_webhook(overrides: dict[str, Any], stderr: TextIO | None = None) -> int:
    """`zansai set-webhook`: register the webhook URL and secret with Telegram, once."""
    stderr = stderr or sys.stderr
    try:
        settings = WebhookSettings.from_env(**overrides)
        telegram = load_settings()
    except (ValueError, ConfigError) as error:
        print(f"zansai set-webhook: {error}", file=stderr)
        return 2
    if not settings.webhook_url:
        print("zansai set-webhook: --webhook-url or ZANSAI_WEBHOOK_URL is required", file=stderr)
        return 2
    return asyncio.run(_set_webhook(telegram.token, telegram.base_url, settings, stderr))


def delete_webhook(stderr: TextIO | None = None) -> int:
    """`zansai delete-webhook`: go back to no webhook (e.g. before `zansai polling`)."""
    stderr = stderr or sys.stderr
    try:
        telegram = load_settings()
    except ConfigError as error:
        print(f"zansai delete-webhook: {error}", file=stderr)
        return 2

    async def delete() -> int:
        try:
            async with make_bot(telegram.token, telegram.base_url, 1) as bot:
                await bot.delete_webhook()
        except InvalidToken:
            print("zansai: Telegram rejected TELEGRAM_BOT_TOKEN", file=stderr)
            return 2
        except TelegramError as error:
            print(f"zansai: deleteWebhook failed: {type(error).__name__}", file=stderr)
            return 1
        print("zansai: webhook deleted", file=stderr)
        return 0

    return asyncio.run(delete())

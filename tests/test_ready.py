"""Issue 17, /readyz: ready when the store answers and the Bot API answers getMe; a
successful getMe is cached, a failure is not."""

from __future__ import annotations

import httpx

from bot.adapters.telegram_bot.webhook import make_bot, readiness
from bot.adapters.telegram_bot.webhook_app import WebhookApp, WebhookSettings
from bot.tools.fake_bot_api import FakeBotApi
from tests.test_webhook import free_port


async def ok(update: dict) -> str:
    return "handled"


async def get_ready(app: WebhookApp) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hook") as client:
        return await client.get("/readyz")


async def test_ready_needs_the_store_and_a_getme_that_is_cached():
    store_down: list[Exception] = []

    async def ping() -> None:
        if store_down:
            raise store_down[0]

    with FakeBotApi() as api:
        bot = make_bot(api.token, api.base_url, 4)
        async with bot:
            app = WebhookApp(WebhookSettings(secret="s"), ok, readiness(ping, bot, cache=60))
            before = len(api.calls_to("getMe"))
            for _ in range(3):
                response = await get_ready(app)
                assert (response.status_code, response.text) == (200, "ready")
            assert len(api.calls_to("getMe")) == before + 1  # cached after the first
            store_down.append(ConnectionError("redis down"))
            response = await get_ready(app)
            assert (response.status_code, response.text) == (503, "store unreachable")


async def test_not_ready_while_the_bot_api_is_unreachable_and_ready_again_after():
    with FakeBotApi() as api:
        token = api.token

    async def ping() -> None:
        pass

    unreachable = make_bot(token, f"http://127.0.0.1:{free_port()}/bot", 4)
    app = WebhookApp(WebhookSettings(secret="s"), ok, readiness(ping, unreachable, cache=60))
    for _ in range(2):  # a failure is not cached: each probe asks again
        response = await get_ready(app)
        assert (response.status_code, response.text) == (503, "bot api unreachable")
    with FakeBotApi() as api:
        bot = make_bot(api.token, api.base_url, 4)
        async with bot:
            app = WebhookApp(WebhookSettings(secret="s"), ok, readiness(ping, bot, cache=60))
            assert (await get_ready(app)).status_code == 200

"""The webhook's HTTP contract on a real uvicorn server on 127.0.0.1 (processing stubbed out).

The end-to-end tests with the Telegram adapter, Redis and several workers are in
test_webhook.py; here each status code is pinned down on its own.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import uvicorn

from bot.adapters.telegram_bot.webhook_app import MAX_BODY, RetryLater, WebhookApp, WebhookSettings

SECRET = "s3cret-token_1"


class Recorder:
    def __init__(self) -> None:
        self.updates: list[dict] = []
        self.gate: asyncio.Event | None = None
        self.fail: Exception | None = None
        self.ready_error: Exception | None = None

    async def process(self, update: dict) -> str:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        self.updates.append(update)
        return "handled"

    async def ready(self) -> None:
        if self.ready_error is not None:
            raise self.ready_error


@pytest.fixture
async def served():
    recorder = Recorder()
    settings = WebhookSettings(secret=SECRET, url_path="/hook", max_in_flight=2)
    app = WebhookApp(settings, recorder.process, recorder.ready)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        yield client, recorder, app
    server.should_exit = True
    await task


def post(client, body, secret=SECRET, **kwargs):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/hook", content=content, headers=headers, **kwargs)


UPDATE = {
    "update_id": 1,
    "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
}


async def test_a_valid_update_is_processed_before_200(served):
    client, recorder, _ = served
    response = await post(client, UPDATE)
    assert response.status_code == 200
    assert recorder.updates == [UPDATE]


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
async def test_a_missing_or_wrong_secret_is_forbidden(served, secret):
    client, recorder, _ = served
    response = await post(client, UPDATE, secret=secret)
    assert response.status_code == 403
    assert recorder.updates == []


@pytest.mark.parametrize(
    "body", [b"{", b"not json", b"\xff\xfe", b"[]", b"{}", b'{"update_id": "1"}', b"null"]
)
async def test_bad_json_or_not_an_update_is_400(served, body):
    client, recorder, _ = served
    response = await post(client, body)
    assert response.status_code == 400
    assert recorder.updates == []


async def test_an_oversize_body_is_413(served):
    client, recorder, _ = served
    padding = "x" * MAX_BODY
    response = await post(client, {**UPDATE, "padding": padding})
    assert response.status_code == 413
    assert recorder.updates == []


async def test_an_oversize_body_with_a_lying_length_is_413(served):
    client, recorder, _ = served

    async def chunks():
        for _ in range(20):
            yield b" " * (128 * 1024)

    response = await client.post(
        "/hook", content=chunks(), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 413
    assert recorder.updates == []


async def test_only_post_on_the_webhook_path(served):
    client, _, _ = served
    assert (await client.get("/hook")).status_code == 405
    assert (await client.post("/elsewhere", content=b"{}")).status_code == 404


async def test_retry_later_gives_503_with_retry_after(served):
    client, recorder, _ = served
    recorder.fail = RetryLater("store down")
    response = await post(client, UPDATE)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


async def test_a_bug_gives_500_so_telegram_retries(served):
    client, recorder, _ = served
    recorder.fail = KeyError("boom")
    response = await post(client, UPDATE)
    assert response.status_code == 500


async def test_in_flight_limit_answers_503_instead_of_queueing(served):
    client, recorder, _ = served
    recorder.gate = asyncio.Event()
    first = asyncio.create_task(post(client, UPDATE))
    second = asyncio.create_task(post(client, {**UPDATE, "update_id": 2}))
    await asyncio.sleep(0.2)
    third = await post(client, {**UPDATE, "update_id": 3})
    assert third.status_code == 503
    recorder.gate.set()
    assert (await first).status_code == 200 and (await second).status_code == 200
    assert sorted(u["update_id"] for u in recorder.updates) == [1, 2]


async def test_health_readiness_and_metrics(served):
    client, recorder, _ = served
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    recorder.ready_error = ConnectionError("redis down")
    assert (await client.get("/readyz")).status_code == 503
    await post(client, UPDATE)
    await post(client, UPDATE, secret="wrong")
    metrics = (await client.get("/metrics")).text
    assert 'outcome="handled"} 1' in metrics
    assert 'outcome="forbidden"} 1' in metrics
    assert "zansai_handling_seconds_count" in metrics


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ZANSAI_WEBHOOK_SECRET", "abc")
    monkeypatch.setenv("ZANSAI_WEBHOOK_PORT", "9000")
    monkeypatch.setenv("ZANSAI_WEBHOOK_PATH", "tg")
    settings = WebhookSettings.from_env(workers=3)
    assert (settings.secret, settings.port, settings.url_path, settings.workers) == (
        "abc",
        9000,
        "/tg",
        3,
    )
    monkeypatch.delenv("ZANSAI_WEBHOOK_SECRET")
    with pytest.raises(ValueError):
        WebhookSettings.from_env()
    with pytest.raises(ValueError):
        WebhookSettings.from_env(secret="has space")

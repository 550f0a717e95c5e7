"""Delivery under Telegram's flood limits: the fake Bot API enforces them (per chat and
overall) and injects 429s, with and without `retry_after`, and network errors (502).

Every chat's replies must arrive exactly as the engine run offline says: each once, in
order, none lost, whatever was refused on the way; polling and the webhook with two
workers sharing Redis (one restarted mid-run). The rates are Telegram's scaled up (time
runs ten times faster here) so the tests finish in seconds; nothing is timed. The numbers
printed are the limits run's figures.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import Counter

import httpx
import pytest

from bot.adapters.telegram_bot.delivery import Pacing
from bot.storage import LocalAsyncStore, MemoryStore
from bot.storage.base import Rate
from bot.tools.fake_bot_api import Chaos, FakeBotApi, Limits, User
from tests.delivery import as_sent, offline, stored_session
from tests.test_faults import LiveWebhook, converse, people, workers_of
from tests.test_stores import REDIS_URL, needs_redis
from tests.test_telegram import Running
from tests.test_webhook import Server, make_update

SCALE = 10  # the limits run ten times faster than Telegram's
LIMITS = Limits(per_chat=1.0 * SCALE, chat_burst=3, overall=30.0 * SCALE, overall_burst=30)
PACING = Pacing(chat=Rate(1.0 * SCALE, 3), overall=Rate(30.0 * SCALE, 30))
PACING_ENV = {
    "ZANSAI_RATE_PER_CHAT": str(PACING.chat.per_second),
    "ZANSAI_BURST_PER_CHAT": str(PACING.chat.burst),
    "ZANSAI_RATE_OVERALL": str(PACING.overall.per_second),
    "ZANSAI_BURST_OVERALL": str(PACING.overall.burst),
}


def delivered_texts(api: FakeBotApi, chat_id: int) -> list[str]:
    """What the chat received: the sendMessage calls Telegram accepted (refused ones are not
    messages), as plain text."""
    import html

    return [
        html.unescape(c.params["text"])
        for c in list(api.calls)
        if c.method == "sendMessage" and c.ok and c.params.get("chat_id") == chat_id
    ]


def tally(api: FakeBotApi, chats: list[tuple[User, list[tuple[str, str]]]]) -> dict[str, int]:
    """Replies delivered, duplicated and lost over all chats (against the offline run), and
    whether each chat's were in order."""
    figures = Counter[str]()
    for user, script in chats:
        expected = [text for turn in offline(user, script)[0] for text in turn]
        got = delivered_texts(api, user.id)
        figures["delivered"] += len(got)
        figures["duplicates"] += sum((Counter(got) - Counter(expected)).values())
        figures["lost"] += sum((Counter(expected) - Counter(got)).values())
        figures["out_of_order"] += got != expected
    return dict(figures)


def report(mode: str, updates: int, api: FakeBotApi, figures: dict[str, int]) -> None:
    print(
        f"limits run ({mode}): {updates} updates, 429s {sum(api.limited.values())} "
        f"({dict(api.limited)}), 502s {api.broken}, replies delivered {figures['delivered']}, "
        f"duplicates {figures['duplicates']}, lost {figures['lost']}, "
        f"out of order {figures['out_of_order']}"
    )


# -- the fake's limits themselves ----------------------------------------------------------


def test_the_fake_refuses_sends_over_a_chats_limit_with_or_without_retry_after():
    from telegram.error import NetworkError, RetryAfter

    async def burst(api: FakeBotApi, user: User) -> list[str]:
        async with Running(api) as bot:
            bot.app.bot_data["adapter"].pacing = Pacing(  # no pacing: see what the fake does
                chat=Rate(1e6, 10_000), overall=Rate(1e6, 10_000), attempts=1
            )
            api.push_message(user, "/start")  # the chat exists for the fake
            await bot.settle(api.push_message(user, "/start"))
            outcomes = []
            for _ in range(6):
                try:
                    await bot.app.bot.send_message(user.id, "x")
                    outcomes.append("sent")
                except RetryAfter:
                    outcomes.append("retry_after")
                except NetworkError as error:
                    assert str(error).startswith("Too Many Requests")
                    outcomes.append("bare")
            return outcomes

    strict = Limits(per_chat=0.5, chat_burst=3, overall=1000, overall_burst=1000)
    with FakeBotApi(limits=strict) as api:
        with_retry_after = asyncio.run(burst(api, User(5100, "ja")))
    with FakeBotApi(limits=Limits(0.5, 3, 1000, 1000, retry_after=False)) as api:
        without = asyncio.run(burst(api, User(5101, "ja")))
    assert "sent" not in with_retry_after[3:] and set(with_retry_after[3:]) == {"retry_after"}
    assert "sent" not in without[3:] and set(without[3:]) == {"bare"}


# -- polling --------------------------------------------------------------------------------


def test_polling_delivers_every_reply_once_in_order_across_429s_and_network_errors():
    """Four chats, both flows and languages, a turn from each per round. The fake enforces
    the limits and answers some sends with 429 (with retry_after, without) or 502; one send
    is refused for 60 s, longer than a turn waits, so the adapter retries that update a
    moment later and it resumes after the last reply delivered."""
    chats = people(4, 5200)
    chaos = Chaos(seed=16, throttle=0.04, bare=0.04, broken=0.04)

    async def scenario(api: FakeBotApi) -> int:
        async with Running(api, MemoryStore()) as bot:
            adapter = bot.app.bot_data["adapter"]
            adapter.pacing = PACING
            adapter.polling_retries = (0.2, 0.5, 1.0, 2.0)
            updates = 0
            for step in range(max(len(script) for _, script in chats)):
                if step == 3:
                    api.throttle_next("sendMessage", retry_after=60)
                last = 0
                for user, script in chats:
                    if step < len(script):
                        kind, value = script[step]
                        if kind == "text":
                            last = api.push_message(user, value)
                        else:
                            message = bot.keyboard_message(user)
                            data = next(
                                b["callback_data"]
                                for row in message["reply_markup"]["inline_keyboard"]
                                for b in row
                                if b["callback_data"].endswith("|" + value)
                            )
                            last = api.push_press(user, message["message_id"], data)
                        updates += 1
                await bot.settle(last)
                await adapter.retries_done()
            return updates

    with FakeBotApi(limits=LIMITS, chaos=chaos) as api:
        updates = asyncio.run(scenario(api))
        figures = tally(api, chats)
        report("polling", updates, api, figures)
        assert sum(api.limited.values()) >= 3 and api.limited["bare"] and api.broken
        assert figures["duplicates"] == 0 and figures["lost"] == 0
        assert figures["out_of_order"] == 0


def test_a_reply_held_back_by_pacing_for_over_a_second_shows_typing_first():
    """Two quick turns in a chat allowed one message every two seconds: the second turn's
    reply waits, and "typing…" is shown meanwhile. A reply that goes at once shows none."""
    user = User(5300, "ja")
    slow = Pacing(chat=Rate(0.5, 1), overall=Rate(1000, 1000))

    async def scenario(api: FakeBotApi) -> None:
        async with LiveWebhook(api, LocalAsyncStore(MemoryStore())) as hook:
            hook.adapter.pacing = slow
            assert await hook.deliver(make_update(api, user, "text", "/start")) == 200
            assert not api.calls_to("sendChatAction")
            assert await hook.deliver(make_update(api, user, "text", "/help")) == 200

    with FakeBotApi() as api:
        asyncio.run(scenario(api))
        calls = [c for c in api.calls if c.method in ("sendMessage", "sendChatAction")]
    methods = [c.method for c in calls]
    assert methods[0] == "sendMessage" and methods[-1] == "sendMessage"
    assert methods.count("sendMessage") == 2
    typing = [c for c in calls if c.method == "sendChatAction"]
    assert typing and all(c.params == {"chat_id": user.id, "action": "typing"} for c in typing)
    assert methods.index("sendChatAction") > 0  # between the two replies


# -- the webhook: two workers, Redis, one restarted ----------------------------------------------


@needs_redis
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds workers in /proc")
def test_two_webhook_workers_deliver_every_reply_once_across_429s_and_a_restart():
    """Eight chats at once through `zansai webhook --workers 2` on Redis; the pacing is
    shared by both workers through Redis. The fake enforces the limits and injects 429s
    and 502s; a few sends are refused for longer than a turn waits, so the webhook answers
    503 and Telegram's redelivery (to either worker) resumes the outbox; one worker is
    stopped (SIGTERM) mid-run and the supervisor starts a new one."""
    chats = people(8, 5400)
    total = sum(len(script) for _, script in chats)
    prefix = f"zansai-test-{uuid.uuid4().hex}:"
    env = {"ZANSAI_STORE": REDIS_URL, "ZANSAI_REDIS_PREFIX": prefix, **PACING_ENV}
    statuses: list[int] = []
    restarted: list[int] = []
    chaos = Chaos(seed=17, throttle=0.05, bare=0.04, broken=0.04)
    with FakeBotApi(limits=LIMITS, chaos=chaos) as api:
        server = Server(api, env, workers=2).start()

        async def restart_and_stall() -> None:
            while statuses.count(200) < total * 0.3:
                await asyncio.sleep(0.01)
            for _ in range(3):  # refused for longer than a turn waits: 503, then resumed
                api.throttle_next("sendMessage", retry_after=60)
            victim = workers_of(server.process.pid)[0]
            os.kill(victim, signal.SIGTERM)
            restarted.append(victim)

        async def load() -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                await asyncio.gather(
                    converse(api, client, chats, statuses, pause=0.01), restart_and_stall()
                )

        try:
            asyncio.run(load())
            deadline = time.monotonic() + 20
            while len(workers_of(server.process.pid)) != 2:
                assert time.monotonic() < deadline, "the stopped worker was not replaced"
                time.sleep(0.05)
            assert restarted[0] not in workers_of(server.process.pid)
            sessions = [stored_session("redis", REDIS_URL, u, prefix) for u, _ in chats]
        finally:
            server.stop()
            _clean_redis(prefix)
        figures = tally(api, chats)
        retried = sum(1 for s in statuses if s != 200)
        report(f"webhook, 2 workers, {retried} redelivered", total, api, figures)
        assert sessions == [as_sent(offline(user, script)[1], api, user) for user, script in chats]
        assert statuses.count(200) == total and 503 in statuses
        assert sum(api.limited.values()) >= 3 and api.limited["bare"] and api.broken
        assert figures["duplicates"] == 0 and figures["lost"] == 0
        assert figures["out_of_order"] == 0


def _clean_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(prefix + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()

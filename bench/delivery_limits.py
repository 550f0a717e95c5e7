"""Replies under Telegram's flood limits: the delay they add, against the least they impose.

In one process: the fake Bot API (`bot/tools/fake_bot_api.py`, in its thread) and the real
`TelegramAdapter` with its courier, on a MemoryStore, fed updates as the webhook is (its
`process`, without the HTTP layer). Open loop: 40 chats (20 with --quick) each send a typed
update every 0.25 s, 8 of them (6), so both Telegram limits bind — about one message a
second per chat, 30 a second overall — at Telegram's own rates.

Each run plays that load twice, on fresh chats:

1. **unpaced**: no pacing, a fake without limits. When each reply reached the fake is its
   *request time*.
2. **paced**: the bot's pacing (`Pacing()`: 1/s per chat with a burst of 3, 30/s overall
   with a burst of 30), a fake enforcing the same limits that also answers 4% of sends with
   a 429 with retry_after, 2% with one without, 2% with a 502.

Rows: the mean delay a reply gets in the paced run over its request time (ours), against
the least delay the limits impose on the same requests (anchor): each reply, in the order
requested, sent at the earliest moment both token buckets allow and not before the chat's
previous reply (a first-come, first-served GCRA schedule, computed). The injected faults
cost ours retries the anchor does not pay. Then replies lost and sent twice in the paced
run, against the unpaced run's (goal 0 and 0), and the 429s the fake answered.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from bench.core import Benchmark, Context, Findings, Row, Samples

LIMIT_PER_CHAT = (1.0, 3)  # per second, burst
LIMIT_OVERALL = (30.0, 30)
LINES = ("/start", "/help", "/summary", "/lang ja", "/help", "/summary")


def setup(ctx: Context) -> dict[str, Any]:
    from bot.app import build_engine

    engine = build_engine(warm_up=False)
    engine.reader.warm_up()
    return {"engine": engine, "chats": ctx.pick(40, 20), "updates": ctx.pick(8, 6), "base": 0}


def run(ctx: Context, state: dict[str, Any]) -> Samples:
    state["base"] += 100_000
    unpaced = asyncio.run(_play(state, paced=False, first_chat=state["base"]))
    paced = asyncio.run(_play(state, paced=True, first_chat=state["base"] + 50_000))
    least = _least_delays(unpaced["sends"])
    ours: list[float] = []
    for chat, times in unpaced["sends"].items():
        paced_times = paced["sends"].get(chat + 50_000, [])
        for index, requested in enumerate(times):
            if index < len(paced_times):
                ours.append(paced_times[index] - requested)
    lost = duplicated = 0
    for chat, texts in unpaced["texts"].items():
        got = Counter(paced["texts"].get(chat + 50_000, []))
        want = Counter(texts)
        lost += sum((want - got).values())
        duplicated += sum((got - want).values())
    return {
        "added_ms": 1000 * sum(ours) / max(len(ours), 1),
        "least_ms": 1000 * sum(least) / max(len(least), 1),
        "lost": lost,
        "duplicated": duplicated,
        "replies": sum(len(t) for t in paced["texts"].values()),
        "limited": paced["limited"],
        "typing": paced["typing"],
    }


async def _play(state: dict[str, Any], paced: bool, first_chat: int) -> dict[str, Any]:
    """One load; per chat, when each reply reached the fake (relative to the start) and the
    texts it received."""
    from bot.adapters.telegram_bot import delivery
    from bot.adapters.telegram_bot.adapter import TelegramAdapter
    from bot.adapters.telegram_bot.delivery import Pacing
    from bot.adapters.telegram_bot.ratelimit import ChatRateLimit
    from bot.adapters.telegram_bot.webhook import make_bot
    from bot.storage import LocalAsyncStore, MemoryStore, RetryLater
    from bot.storage.base import Rate
    from bot.tools.fake_bot_api import Chaos, FakeBotApi, Limits, User
    from bot.turns import TurnRunner

    chats, per_chat = state["chats"], state["updates"]
    if paced:
        pacing = Pacing()
        limits = Limits(*LIMIT_PER_CHAT, *LIMIT_OVERALL)
        chaos = Chaos(seed=first_chat, throttle=0.04, bare=0.02, broken=0.02)
    else:
        pacing = Pacing(chat=Rate(1e6, 10**6), overall=Rate(1e6, 10**6))
        limits, chaos = None, None
    sends: dict[int, list[float]] = {}
    started = time.monotonic()
    real_send = delivery.send_message

    async def timed_send(bot: Any, chat_id: int, message: Any) -> None:
        await real_send(bot, chat_id, message)
        sends.setdefault(chat_id, []).append(time.monotonic() - started)

    delivery.send_message = timed_send  # type: ignore[assignment]
    try:
        with FakeBotApi(limits=limits, chaos=chaos) as api:
            runner = TurnRunner(state["engine"], LocalAsyncStore(MemoryStore()))
            adapter = TelegramAdapter(
                runner, rate_limit=ChatRateLimit(rate=1e6, burst=10**6), pacing=pacing
            )
            bot = make_bot(api.token, api.base_url, 512)
            await bot.initialize()
            users = [User(first_chat + i, "ja") for i in range(chats)]

            async def one(user: User, line: str, at: float) -> None:
                await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
                update = api.take_update(api.push_message(user, line))
                while True:  # as Telegram redelivers a webhook answered 503
                    try:
                        await adapter.process(update, bot)
                        return
                    except RetryLater:
                        await asyncio.sleep(0.05)

            started = time.monotonic()
            await asyncio.gather(
                *(
                    one(user, LINES[k % len(LINES)], 0.25 * k + 0.005 * (i % 50))
                    for i, user in enumerate(users)
                    for k in range(per_chat)
                )
            )
            await bot.shutdown()
            texts = {
                user.id: [
                    c.params["text"]
                    for c in list(api.calls)
                    if c.method == "sendMessage" and c.ok and c.params.get("chat_id") == user.id
                ]
                for user in users
            }
            limited = sum(api.limited.values())
    finally:
        delivery.send_message = real_send  # type: ignore[assignment]
    return {"sends": sends, "texts": texts, "limited": limited,
            "typing": adapter.delivery.typing}  # fmt: skip


def _least_delays(sends: dict[int, list[float]]) -> list[float]:
    """The least delay each request must get under both buckets: first come, first served,
    each chat's replies one after another (GCRA)."""
    chat_rate, chat_burst = LIMIT_PER_CHAT
    all_rate, all_burst = LIMIT_OVERALL
    requests = sorted((t, chat, i) for chat, times in sends.items() for i, t in enumerate(times))
    due_chat: dict[int, float] = {}
    last_sent: dict[int, float] = {}
    due_all = 0.0
    delays = []
    for requested, chat, _ in requests:
        at = max(
            requested,
            last_sent.get(chat, 0.0),
            due_chat.get(chat, 0.0) - (chat_burst - 1) / chat_rate,
            due_all - (all_burst - 1) / all_rate,
        )
        due_chat[chat] = max(due_chat.get(chat, 0.0), at) + 1 / chat_rate
        due_all = max(due_all, at) + 1 / all_rate
        last_sent[chat] = at
        delays.append(at - requested)
    return delays


def report(ctx: Context, state: dict[str, Any], medians: Samples) -> Findings:
    return Findings(
        details={k: medians[k] for k in ("replies", "limited", "typing") if k in medians},
        notes=[
            f"{state['chats']} chats x {state['updates']} updates, a reply each; paced run: "
            f"{medians.get('replies', 0):.0f} replies, {medians.get('limited', 0):.0f} 429s "
            f"answered by the fake (injected and enforced), 'typing' shown "
            f"{medians.get('typing', 0):.0f} times (medians over runs)",
        ],
    )


BENCHMARK = Benchmark(
    name="delivery_limits",
    title="Replies under Telegram's flood limits",
    setup=setup,
    run=run,
    report=report,
    rows=(
        Row("delay added per reply by the limits", "added_ms", "ms", anchor="least_ms",
            anchor_label="least the limits impose"),
        Row("replies lost", "lost", "", goal=0),
        Row("replies sent twice", "duplicated", "", goal=0),
    ),
)

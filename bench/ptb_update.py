"""A full PTB update, offline: `Update.de_json` + `Application.process_update` with our handlers,
against the same consultation written the idiomatic PTB way, and against PTB's bare echo.

**The goal** (issue 18): ours ≤ 1.0× the CPU per update of `car_sale` written as a PTB user
would (`bench.ptb_car_sale`: ConversationHandler, PicklePersistence, the same questions,
buttons and texts), on the same `car_sale` conversations (`build_corpus(peers=True)`: every
user sends a language_code, so no language picker), ours saving every turn before it
answers and PTB's persistence writing nothing until its 60-s job or shutdown. Its one
flush, done at the end of each run, is timed apart. Both bots must send every chat the same
number of messages (checked). The old goal (≤ 1.2× the bare echo) is retired: an echo sends
one message and saves nothing; the echo rows stay for information.

20,000 updates (5,000 with --quick) from 1,000 chats (250), the scripted conversations of
`bench.scripts` as Telegram would send them (`bench.tg_updates`): /start, presses with the
callback_data of the bot's previous keyboard, typed answers and amounts, commands. They go,
in the interleaved order they were scheduled in, through an `Application` with Zansai's
handlers (`TelegramAdapter(TurnRunner(build_engine(warm_up=False),
LocalAsyncStore(SqliteStore(tmpfile)))).register(app)`, what `build_application` does), a
fresh SQLite file per run. The bot's HTTP is `OfflineRequest`: every Bot API call returns
at once with canned valid JSON (sendMessage / editMessageText: a Message echoing chat_id,
text and keyboard; answerCallbackQuery: true; getMe: the bot), after encoding the
parameters the way `HTTPXRequest` does (`RequestData.json_parameters`), so what is left
out is only the network.

Anchor, same updates, same run: a bare PTB echo bot on the same kind of OfflineRequest (a
MessageHandler that `reply_text`s the text back; a CallbackQueryHandler that answers the
press and replies with its data). Two more take their turns, for context: ours on the
in-memory store (what the disk costs us), and the echo saving each update to SQLite the
least a bot can (`SavingEcho`: read one row by key, write it back, WAL and
synchronous=NORMAL as ours): the floor for any bot that saves every turn before answering.
All four take turns over ten slices of the updates, so load from elsewhere on the machine
hits them alike. Logging is not configured here (our INFO lines are skipped by level);
`webhook_load` runs with the deployed INFO logging.

When the goal is missed (or with --profile), cProfile of ours over the first 3,000 updates
(1,000 with --quick), own time grouped by where the code lives.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import itertools
import json
import logging
import pstats
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

from bench import ptb_car_sale
from bench.core import Benchmark, Context, Findings, Row, Samples, percentile
from bench.engine_turn import _short
from bench.ptb_echo_webhook import echo_press, echo_text
from bench.tg_updates import Corpus, build_corpus
from bot.adapters.telegram_bot.adapter import TelegramAdapter
from bot.adapters.telegram_bot.delivery import Pacing
from bot.app import build_engine
from bot.storage import LocalAsyncStore, MemoryStore, SqliteStore, SyncStore
from bot.storage.base import Rate
from bot.tools import fake_bot_api as canned
from bot.turns import TurnRunner

GOAL_RATIO = 1.0  # ours / the idiomatic PTB car_sale, CPU per update


class OfflineRequest(BaseRequest):
    """A `BaseRequest` that answers every Bot API call at once with canned valid JSON.

    In the spirit of PTB's tests/auxil/networking.py. It counts calls per method and
    sendMessage calls per chat.
    """

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # chat_id (as sent) -> sendMessage calls
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = canned.canonical_method(url.rpartition("/")[2])
        self.calls[name] += 1
        # What HTTPXRequest hands httpx as the form: every non-string value JSON-encoded.
        params = request_data.json_parameters if request_data is not None else {}
        if name in ("sendMessage", "editMessageText"):
            chat_id = params.get("chat_id", "0")
            if name == "sendMessage":
                self.sent[chat_id] += 1
            return 200, canned.message_body(
                next(self._ids), chat_id, params.get("text", ""), params.get("reply_markup")
            )
        if name == "getMe":
            return 200, canned.GET_ME_BODY
        return 200, canned.TRUE_BODY


# -- the two applications ----------------------------------------------------------------


def _offline_application() -> tuple[Application, OfflineRequest]:
    """A PTB Application whose HTTP is an OfflineRequest (returned, to count its calls)."""
    request = OfflineRequest()
    application = (
        Application.builder()
        .token(canned.TOKEN)
        .request(request)
        .get_updates_request(OfflineRequest())
        .build()
    )
    return application, request


# Ours paces replies to Telegram's limits (30 a second overall); the peers have no rate
# limiter and never wait. Replayed back to back, ours would sleep about 47 ms per update
# and pay for the idle gaps in CPU (perf18's measurement), so both run unpaced here; what
# the limits add is `delivery_limits`' row.
UNPACED = Pacing(chat=Rate(1e6, 10**6), overall=Rate(1e6, 10**6))


def ours(store: SyncStore) -> tuple[Application, OfflineRequest]:
    """Zansai's handlers, as `build_application` registers them, on an OfflineRequest."""
    application, request = _offline_application()
    engine = build_engine(warm_up=False)
    engine.reader.warm_up()  # as the webhook does before serving (polling: in the background)
    runner = TurnRunner(engine, LocalAsyncStore(store))
    TelegramAdapter(runner, pacing=UNPACED).register(application)
    return application, request


def ptb_idiomatic(path: Path) -> tuple[Application, OfflineRequest]:
    """car_sale as a PTB user writes it (`bench.ptb_car_sale`), with PicklePersistence."""
    request = OfflineRequest()
    application = (
        Application.builder()
        .token(canned.TOKEN)
        .request(request)
        .get_updates_request(OfflineRequest())
        .persistence(ptb_car_sale.persistence(path))
        .build()
    )
    ptb_car_sale.register(application)
    return application, request


def echo() -> tuple[Application, OfflineRequest]:
    application, request = _offline_application()
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_press))
    return application, request


class SavingEcho:
    """The echo, plus the cheapest durable save per update: one SELECT and one upsert of a
    small row keyed by the user, in a WAL-mode SQLite file (synchronous=NORMAL, as ours)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE chats (user TEXT PRIMARY KEY, data TEXT) WITHOUT ROWID")

    def save(self, update: Update) -> None:
        user = str(update.effective_user.id if update.effective_user else 0)
        self.db.execute("SELECT data FROM chats WHERE user = ?", (user,)).fetchone()
        last = {"update": update.update_id, "text": getattr(update.effective_message, "text", None)}
        self.db.execute(
            "INSERT INTO chats VALUES (?, ?) ON CONFLICT (user) DO UPDATE SET data = excluded.data",
            (user, json.dumps(last, ensure_ascii=False)),
        )

    def application(self) -> tuple[Application, OfflineRequest]:
        application, request = _offline_application()

        async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self.save(update)
            await echo_text(update, context)

        async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self.save(update)
            await echo_press(update, context)

        application.add_handler(MessageHandler(filters.TEXT, text))
        application.add_handler(CallbackQueryHandler(press))
        return application, request

    def close(self) -> None:
        self.db.close()


# -- timing ------------------------------------------------------------------------------


@dataclass
class Updates:
    corpus: Corpus
    updates: list[dict[str, Any]]  # in scheduled (interleaved) order
    tags: list[str]
    expected_sends: Counter[str]  # chat_id -> sendMessage calls the engine implies

    @classmethod
    def build(cls, users: int, turns: int, peers: bool = False) -> Updates:
        corpus = build_corpus(users, turns, peers=peers)
        order = corpus.in_order()
        expected: Counter[str] = Counter()
        for chat, i in order:
            expected[str(chat.chat_id)] += chat.sends[i]
        return cls(
            corpus, [c.updates[i] for c, i in order], [c.tags[i] for c, i in order], expected
        )


@dataclass
class State:
    corpus: Corpus
    updates: list[dict[str, Any]]  # in scheduled (interleaved) order
    tags: list[str]
    expected_sends: Counter[str]  # chat_id -> sendMessage calls the engine implies
    car_sale: Updates  # car_sale only, known language codes: ours against the PTB peer
    runs: int = 0


def setup(ctx: Context) -> State:
    users, turns = ctx.pick(1_000, 250), ctx.pick(20_000, 5_000)
    every = Updates.build(users, turns)
    car_sale = Updates.build(users, turns, peers=True)
    ctx.log(
        f"[ptb_update] {len(every.updates):,} updates from {len(every.corpus.chats):,} chats "
        f"built in {every.corpus.seconds:.1f} s; car_sale only: {len(car_sale.updates):,} "
        f"in {car_sale.corpus.seconds:.1f} s"
    )
    state = State(every.corpus, every.updates, every.tags, every.expected_sends, car_sale)
    # Warm up (imports, Babel's locale data, PTB's class caches), untimed.
    asyncio.run(replay(ctx, state, every.updates[:1_000]))
    asyncio.run(replay_car_sale(ctx, state, car_sale.updates[:1_000]))
    return state


CHUNKS = 10  # ours and the echo take turns over the updates, so drift hits both alike


async def _replay(application: Application, updates: list[dict[str, Any]], out: list[int]) -> int:
    """Process `updates`, appending ns per update to `out`; returns the CPU ns used."""
    bot = application.bot
    process = application.process_update
    de_json = Update.de_json
    clock = time.perf_counter_ns
    cpu = time.process_time_ns()
    for data in updates:
        start = clock()
        await process(de_json(data, bot))
        out.append(clock() - start)
    return time.process_time_ns() - cpu


def _de_json_only(application: Application, updates: list[dict[str, Any]], out: list[int]) -> None:
    bot, de_json, clock = application.bot, Update.de_json, time.perf_counter_ns
    for data in updates:
        start = clock()
        de_json(data, bot)
        out.append(clock() - start)


@dataclass
class Replay:
    ours_ns: list[int]
    echo_ns: list[int]
    de_json_ns: list[int]
    memory_ns: list[int]  # ours on the in-memory store: what saving to disk costs
    saving_echo_ns: list[int]  # the echo saving each update: the floor for saving every turn
    ours_cpu: int
    echo_cpu: int
    ours_request: OfflineRequest
    echo_request: OfflineRequest


async def replay(ctx: Context, state: State, updates: list[dict[str, Any]]) -> Replay:
    """Both bots over the same updates, in CHUNKS alternating slices; a fresh SQLite file.

    Ours on a MemoryStore and the SavingEcho take their turns too, for context."""
    state.runs += 1
    store = SqliteStore(ctx.tmp / f"ptb_update-{state.runs}.db")
    application, request = ours(store)
    in_memory, _ = ours(MemoryStore())
    anchor, echo_request = echo()
    saving = SavingEcho(ctx.tmp / f"ptb_update-echo-{state.runs}.db")
    saving_echo, _ = saving.application()
    result = Replay([], [], [], [], [], 0, 0, request, echo_request)
    try:
        await application.initialize()
        await in_memory.initialize()
        await anchor.initialize()
        await saving_echo.initialize()
        size = -(-len(updates) // CHUNKS)
        for number, start in enumerate(range(0, len(updates), size)):
            chunk = updates[start : start + size]
            gc.collect()
            result.ours_cpu += await _replay(application, chunk, result.ours_ns)
            gc.collect()
            result.echo_cpu += await _replay(anchor, chunk, result.echo_ns)
            gc.collect()
            await _replay(in_memory, chunk, result.memory_ns)
            gc.collect()
            await _replay(saving_echo, chunk, result.saving_echo_ns)
            if number % 5 == 0:  # de_json alone, for context: a fifth of the updates is enough
                _de_json_only(anchor, chunk, result.de_json_ns)
        await application.shutdown()
        await in_memory.shutdown()
        await anchor.shutdown()
        await saving_echo.shutdown()
    finally:
        store.close()
        saving.close()
    return result


@dataclass
class CarSale:
    ours_cpu: int
    ptb_cpu: int
    ptb_flush_cpu: int  # PicklePersistence's update_persistence() + flush, once per run
    default_flush_cpu: int  # the same data through PicklePersistence's default, on_flush=False
    ours_request: OfflineRequest
    ptb_request: OfflineRequest
    ptb_errors: list[str]
    pickle_bytes: int


async def replay_car_sale(ctx: Context, state: State, updates: list[dict[str, Any]]) -> CarSale:
    """Ours (SQLite, every turn saved) and the idiomatic PTB car_sale (PicklePersistence)
    over the same car_sale updates, in alternating slices; then PTB's persistence writes
    what changed, once, as its 60-s job would (timed apart)."""
    state.runs += 1
    store = SqliteStore(ctx.tmp / f"ptb_update-cs-{state.runs}.db")
    pickle = ctx.tmp / f"ptb_update-cs-{state.runs}.pickle"
    application, request = ours(store)
    peer, peer_request = ptb_idiomatic(pickle)
    errors: list[str] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(repr(context.error))

    peer.add_error_handler(on_error)
    result = CarSale(0, 0, 0, 0, request, peer_request, errors, 0)
    try:
        await application.initialize()
        await peer.initialize()
        size = -(-len(updates) // CHUNKS)
        for start in range(0, len(updates), size):
            chunk = updates[start : start + size]
            gc.collect()
            result.ours_cpu += await _replay(application, chunk, [])
            gc.collect()
            result.ptb_cpu += await _replay(peer, chunk, [])
        gc.collect()
        cpu = time.process_time_ns()
        await peer.update_persistence()
        await peer.persistence.flush()
        result.ptb_flush_cpu = time.process_time_ns() - cpu
        result.pickle_bytes = pickle.stat().st_size if pickle.exists() else 0
        result.default_flush_cpu = await _default_flush(ctx, peer, state.runs)
        await application.shutdown()
        await peer.shutdown()
    finally:
        store.close()
    return result


async def _default_flush(ctx: Context, peer: Application, number: int) -> int:
    """CPU ns for PicklePersistence's default (on_flush=False) to take what the run changed,
    as Application.update_persistence hands it over every 60 s: each changed user's data and
    each changed conversation, every call rewriting the whole file."""
    default = ptb_car_sale.persistence(ctx.tmp / f"ptb_update-default-{number}.pickle", False)
    default.set_bot(peer.bot)
    flushed: Any = peer.persistence
    conversations = flushed.conversations.get(ptb_car_sale.FLOW_ID, {})
    cpu = time.process_time_ns()
    for user, data in flushed.user_data.items():
        await default.update_user_data(user, data)
    for key, value in conversations.items():
        await default.update_conversation(ptb_car_sale.FLOW_ID, key, value)
    return time.process_time_ns() - cpu


def run(ctx: Context, state: State) -> Samples:
    cs = asyncio.run(replay_car_sale(ctx, state, state.car_sale.updates))
    m = len(state.car_sale.updates)
    differ = sum(
        1
        for chat, count in state.car_sale.expected_sends.items()
        if cs.ours_request.sent.get(chat, 0) != count or cs.ptb_request.sent.get(chat, 0) != count
    )
    car_sale = {
        "cs_ours_cpu_us": cs.ours_cpu / m / 1000,
        "cs_ptb_cpu_us": cs.ptb_cpu / m / 1000,
        "cs_ptb_flushed_cpu_us": (cs.ptb_cpu + cs.ptb_flush_cpu) / m / 1000,
        "cs_ptb_flush_ms": cs.ptb_flush_cpu / 1e6,
        "cs_ptb_default_flush_ms": cs.default_flush_cpu / 1e6,
        "cs_pickle_kib": cs.pickle_bytes / 1024,
        "cs_chats_differing": differ,
        "cs_ptb_errors": len(cs.ptb_errors),
        "cs_ours_api_calls": (sum(cs.ours_request.calls.values()) - 1) / m,
        "cs_ptb_api_calls": (sum(cs.ptb_request.calls.values()) - 1) / m,
    }
    r = asyncio.run(replay(ctx, state, state.updates))
    n = len(state.updates)
    ours_sorted, echo_sorted = sorted(r.ours_ns), sorted(r.echo_ns)
    request = r.ours_request
    mismatched = sum(
        1 for chat, count in state.expected_sends.items() if request.sent.get(chat, 0) != count
    )
    return {
        "ours_us": sum(r.ours_ns) / n / 1000,
        "ours_cpu_us": r.ours_cpu / n / 1000,
        "ours_p50_us": percentile(ours_sorted, 0.5) / 1000,
        "ours_p99_us": percentile(ours_sorted, 0.99) / 1000,
        "echo_us": sum(r.echo_ns) / n / 1000,
        "echo_cpu_us": r.echo_cpu / n / 1000,
        "echo_p50_us": percentile(echo_sorted, 0.5) / 1000,
        "echo_p99_us": percentile(echo_sorted, 0.99) / 1000,
        "de_json_us": sum(r.de_json_ns) / len(r.de_json_ns) / 1000,
        "memory_us": sum(r.memory_ns) / n / 1000,
        "saving_echo_us": sum(r.saving_echo_ns) / n / 1000,
        "ours_api_calls": (sum(request.calls.values()) - request.calls["getMe"]) / n,
        "echo_api_calls": (sum(r.echo_request.calls.values()) - r.echo_request.calls["getMe"]) / n,
        "ours_send_message": request.calls["sendMessage"] / n,
        "chats_mismatched": mismatched,
        **{f"calls:{k}": v / n for k, v in request.calls.items() if k != "getMe"},
        **car_sale,
    }


# -- report ------------------------------------------------------------------------------

# Where a function's own time goes, by the file it is defined in.
CATEGORIES = (
    ("PTB: objects (de_json, to_dict, __init__, __setattr__, freezing)", ("telegram/_",)),
    ("PTB: Bot and request plumbing", ("telegram/_bot.py", "telegram/request/")),
    ("PTB: ext (Application, handlers, filters, context)", ("telegram/ext/",)),
    ("our adapter and turn runner (bot/adapters/, bot/turns.py)",
     ("bot/adapters/", "bot/turns.py", "bot/keepalive_request.py")),
    ("our typed-answer reader (bot/core/reader/)", ("bot/core/reader/",)),
    ("SudachiPy / jieba (the reader's word analysers)",
     ("sudachipy", "jieba/", "{method 'tokenize'")),
    ("our engine (bot/core/ but the reader, flows/)", ("bot/core/", "flows/")),
    (
        "SQLite (bot/storage/ + sqlite3)",
        ("bot/storage/", "sqlite3", "{method 'execute'", "{method 'fetchone'"),
    ),
    ("transitions", ("transitions/",)),
    ("Babel", ("babel/",)),
    ("json", ("json/", "{method 'encode'", "{built-in method _json")),
    ("asyncio / contextlib", ("asyncio/", "contextlib.py")),
    ("logging", ("logging/",)),
    ("the harness (OfflineRequest, bench/)", ("bench/",)),
)


def _category(where: str) -> str:
    for name, needles in CATEGORIES:
        if any(n in where for n in needles):
            return name
    return "other (builtins, re, html, dataclasses, enum, …)"


def _profile(ctx: Context, state: State) -> dict[str, Any]:
    updates = state.car_sale.updates[: ctx.pick(3_000, 1_000)]
    n = len(updates)
    profiler = cProfile.Profile()

    async def go() -> None:
        state.runs += 1
        store = SqliteStore(ctx.tmp / f"ptb_update-profile{state.runs}.db")
        application, _ = ours(store)
        try:
            await application.initialize()
            bot, process, de_json = application.bot, application.process_update, Update.de_json
            profiler.enable()
            for data in updates:
                await process(de_json(data, bot))
            profiler.disable()
            await application.shutdown()
        finally:
            store.close()

    asyncio.run(go())
    stats = pstats.Stats(profiler)
    repo = str(ctx.repo)
    rows = []
    for (path, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{_short(path, repo)}:{line}({name})" if line else name
        rows.append((where, calls / n, tottime / n * 1e6, cumtime / n * 1e6))
    total = sum(r[2] for r in rows)
    by_category: Counter[str] = Counter()
    for where, _, tottime, _ in rows:
        by_category[_category(where)] += tottime
    top = sorted(rows, key=lambda r: -r[2])[:14]
    ours_cum = sorted(
        (r for r in rows if r[0].startswith(("bot/", "flows/"))), key=lambda r: -r[3]
    )[:14]
    ptb_cum = sorted((r for r in rows if r[0].startswith("telegram/")), key=lambda r: -r[3])[:12]
    return {
        "updates_profiled": n,
        "total_us": total,
        "by_category_us": dict(by_category.most_common()),
        "top_tottime": top,
        "ours_cumtime": ours_cum,
        "ptb_cumtime": ptb_cum,
    }


def report(ctx: Context, state: State, medians: Samples) -> Findings:
    n = len(state.updates)
    tags = Counter(state.tags)
    calls = {k.split(":", 1)[1]: round(v, 3) for k, v in medians.items() if k.startswith("calls:")}
    details: dict[str, Any] = {
        "updates": n,
        "chats": len(state.corpus.chats),
        "mix_percent": {k: round(100 * v / n, 1) for k, v in tags.most_common()},
        "api_calls_per_update": calls,
    }
    ratio = medians["ours_us"] / medians["echo_us"]
    cs_ratio = medians["cs_ours_cpu_us"] / medians["cs_ptb_cpu_us"]
    m = len(state.car_sale.updates)
    cs_tags = Counter(state.car_sale.tags)
    notes = [
        f"car_sale against the idiomatic PTB bot: {m:,} updates from "
        f"{len(state.car_sale.corpus.chats):,} chats; mix %: "
        + ", ".join(f"{k} {round(100 * v / m, 1)}" for k, v in cs_tags.most_common()),
        f"  CPU per update: ours {medians['cs_ours_cpu_us']:.0f} µs (SQLite, every turn "
        f"saved before answering), PTB ConversationHandler {medians['cs_ptb_cpu_us']:.0f} µs "
        f"(nothing written during the run): ratio {cs_ratio:.2f}× (goal ≤ {GOAL_RATIO}×)",
        f"  PicklePersistence (on_flush=True) writing what changed, once at the end of the run: "
        f"{medians['cs_ptb_flush_ms']:.0f} ms CPU ({medians['cs_pickle_kib']:.0f} KiB file), "
        f"{medians['cs_ptb_flushed_cpu_us']:.0f} µs per update with it; its default "
        f"(on_flush=False) takes {medians['cs_ptb_default_flush_ms']:,.0f} ms for the same "
        "data (the whole file rewritten once per changed user and conversation)",
        f"  Bot API calls per update: ours {medians['cs_ours_api_calls']:.2f}, PTB "
        f"{medians['cs_ptb_api_calls']:.2f}; "
        + (
            "every chat got the same number of messages from both, as the engine implies"
            if not medians["cs_chats_differing"]
            else f"WARNING: {medians['cs_chats_differing']:.0f} chats got a different number "
            "of messages"
        )
        + (f"; PTB handler errors: {medians['cs_ptb_errors']:.0f}"
           if medians["cs_ptb_errors"] else ""),
        f"all flows, against PTB's bare echo (information): {n:,} updates from "
        f"{len(state.corpus.chats):,} chats; mix %: "
        + ", ".join(f"{k} {v}" for k, v in details["mix_percent"].items()),
        f"ours: {medians['ours_us']:.0f} µs/update (p50 {medians['ours_p50_us']:.0f}, p99 "
        f"{medians['ours_p99_us']:.0f}; CPU {medians['ours_cpu_us']:.0f}); echo: "
        f"{medians['echo_us']:.0f} µs/update (p50 {medians['echo_p50_us']:.0f}, p99 "
        f"{medians['echo_p99_us']:.0f}); ratio {ratio:.2f}×",
        f"Update.de_json alone: {medians['de_json_us']:.0f} µs/update (in both).",
        f"Bot API calls per update: ours {medians['ours_api_calls']:.2f} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))
        + f"), echo {medians['echo_api_calls']:.2f}.",
        "every chat got the sendMessage count the offline engine implies"
        if not medians["chats_mismatched"]
        else f"WARNING: {medians['chats_mismatched']:.0f} chats got a different number of "
        "sendMessage calls than the offline engine implies",
    ]
    if cs_ratio > GOAL_RATIO or ctx.profile:
        prof = _profile(ctx, state)
        details["profile"] = prof
        total = prof["total_us"]
        notes.append(
            f"cProfile of ours over {prof['updates_profiled']:,} car_sale updates: "
            f"{total:.0f} µs/update with the profiler's overhead; own time by where the "
            "function lives:"
        )
        notes += [
            f"  {us:7.1f} µs {100 * us / total:4.1f}%  {name}"
            for name, us in prof["by_category_us"].items()
        ]
        notes.append("  top own time (µs/update, calls/update):")
        notes += [f"    {t:6.1f}  {c:6.2f}×  {w}" for w, c, t, _ in prof["top_tottime"]]
        notes.append("  our functions by cumulative time:")
        notes += [f"    {cu:6.1f}  {c:6.2f}×  {w}" for w, c, _, cu in prof["ours_cumtime"]]
        notes.append("  PTB functions by cumulative time:")
        notes += [f"    {cu:6.1f}  {c:6.2f}×  {w}" for w, c, _, cu in prof["ptb_cumtime"]]
    return Findings(details, notes)


logging.getLogger("telegram").setLevel(logging.WARNING)

BENCHMARK = Benchmark(
    name="ptb_update",
    title="A full PTB update, offline",
    setup=setup,
    run=run,
    report=report,
    rows=(
        Row(
            "car_sale: ours, CPU per update",
            "cs_ours_cpu_us",
            "µs",
            anchor="cs_ptb_cpu_us",
            anchor_label="PTB ConversationHandler + PicklePersistence, same updates",
            goal=GOAL_RATIO,
            goal_on="ratio",
        ),
        Row(
            "car_sale: ours vs PTB with its one persistence write per run",
            "cs_ours_cpu_us",
            "µs",
            anchor="cs_ptb_flushed_cpu_us",
            anchor_label="PTB ConversationHandler, its pickle written once",
        ),
        Row(
            "all flows: ours, de_json + process_update, mean",
            "ours_us",
            "µs",
            anchor="echo_us",
            anchor_label="PTB echo bot, same updates",
        ),
        Row(
            "all flows: ours, CPU time per update",
            "ours_cpu_us",
            "µs",
            anchor="echo_cpu_us",
            anchor_label="PTB echo bot, CPU",
        ),
        Row(
            "ours on the in-memory store (no disk), mean",
            "memory_us",
            "µs",
            anchor="echo_us",
            anchor_label="PTB echo bot, same updates",
        ),
        Row(
            "PTB echo saving each update to SQLite (the floor), mean",
            "saving_echo_us",
            "µs",
            anchor="echo_us",
            anchor_label="PTB echo bot, same updates",
        ),
        Row(
            "Update.de_json alone",
            "de_json_us",
            "µs",
            anchor="echo_us",
            anchor_label="PTB echo bot, whole update",
        ),
    ),
)

"""The webhook under load: the real `zansai webhook` and its peers against a fake Bot API.

Processes (the machine's 2 cores are shared by all of them, and by Redis):

    this process: load generator ──POST /telegram──► server ──Bot API──► fake Bot API (counting)
    (asyncio, uvloop, raw HTTP/1.1 keep-alive)       │
                                                      ├ zansai webhook, 1 worker, SQLite
                                                      ├ zansai webhook --workers 2, Redis
                                                      ├ peer: PTB run_webhook + car_sale
                                                      │   (ConversationHandler, PicklePersistence)
                                                      ├ peer: aiogram 3, 1 worker, MemoryStorage
                                                      └ peer: aiogram 3, 2 workers, RedisStorage

The peers play the same `car_sale` dialogue with the same texts (`bench.ptb_car_sale`,
`bench.aiogram_car_sale`, on `bench.peer_car_sale`), so every server gets the same updates
(`car_sale` conversations, users with a language_code) and sends the same messages.

Every cell is a fixed window (10 s, 3 s with --quick) with a fixed number of connections
(16, then 64). Each connection plays its own chats, one request at a time, so a chat's next
update is sent only after the previous one was answered. The updates are the scripted
conversations of `bench.scripts` as Telegram sends them (`bench.tg_updates`), with the
secret header; every cell uses fresh chat ids and update ids. A chat joins somewhere in the
middle of its conversation, so the window sees the whole mix, verdicts included: for ours
its session is written to the server's store first, through the store's own `save`; a peer
is brought there through its front door before the window (the conversation so far, from
its /start, sent untimed, and its replies awaited). A chat that reaches the end of its
script is replaced by a new one. A non-2xx answer is retried like Telegram does (same
update, after 10 ms).

Measured per cell: updates answered 200 per second, p50/p99 latency, replies delivered to
the fake (sendMessage calls) per second during the window, and after the generator's last
response how long the fake's sendMessage count keeps growing (the drain) and by how much
(the backlog). Ours answers 200 only once an update's replies are sent, so it should have
none; the peers' webhooks (PTB's, and aiogram's SimpleRequestHandler by default) answer 200
before processing, so their "updates/s" is what they accepted, and their backlog drains
afterwards (if it has not drained after a few seconds, the drain is extrapolated from the
rate it drains at, and the peer is restarted). **End to end** is what a user waits for:
every reply the answered updates imply, delivered, over the window plus the drain.

The whole set is measured once per invocation (6 windows of 10 s are most of the time
budget); the runner's further repetitions report that same measurement (`--runs 1` avoids
the repeats).
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httptools

from bench.core import (
    Benchmark,
    Context,
    Findings,
    Row,
    Samples,
    percentile,
    subprocess_env,
    vm_rss_kib,
)
from bench.tg_updates import Template, build_corpus, template
from bot.tools.fake_bot_api import TOKEN

SECRET = "zansai-bench-secret"
# What each load cell reports, as samples named {server}_{connections}_{field}.
CELL_FIELDS = (
    "rps", "p50_ms", "p99_ms", "replies_per_s", "drain_s", "drain_rate", "backlog", "e2e",
    "marked", "rss_mib",
)
OURS, PEERS = ("sqlite", "redis"), ("ptb", "aiogram", "aiogram_redis")
CONNECTIONS = (16, 64)
# Chats in play at once, split over the connections. At 2,500 updates/s each chat sends
# about one update every 1.6 s, as a quick person might; with 1,024 chats they sent more than
# two a second for the whole window, and the server's per-chat flood guard (1/s after a burst
# of 20) rightly refused some, so fewer replies arrived than the answered updates imply.
ACTIVE_CHATS = 4096
REDIS_URL = os.environ.get("ZANSAI_BENCH_REDIS", "redis://127.0.0.1:6379/0")
QUIET_S = 0.5  # the drain is over when the sendMessage count has not moved for this long
GOAL_E2E_RATIO = 2.5  # ours / the best peer, replies delivered end to end per second
GOAL_P99_MS = 50.0  # at 64 connections

_ids = itertools.count(3_000_000)  # update ids: unique for the whole benchmark process
_chats = itertools.count(5_000_000_000)  # chat (= user) ids: fresh for every cell


# -- a minimal HTTP/1.1 keep-alive client ------------------------------------------------


class Client(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.body: list[bytes] = []

    @classmethod
    async def connect(cls, port: int) -> Client:
        loop = asyncio.get_running_loop()
        _, client = await loop.create_connection(cls, "127.0.0.1", port)
        return client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection lost"))
        self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(ConnectionError(repr(error)))

    def on_message_begin(self) -> None:
        self.body = []

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.parser.get_status_code(), b"".join(self.body)))

    async def send(self, data: bytes) -> tuple[int, bytes]:
        if self.transport is None:
            raise ConnectionError("not connected")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def post_head(port: int, length: int) -> bytes:
    return (
        b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: %s\r\nContent-Length: %d\r\n\r\n"
        % (port, SECRET.encode(), length)
    )


async def get(port: int, path: str, client: Client | None = None) -> tuple[int, bytes]:
    own = client is None
    client = client or await Client.connect(port)
    try:
        return await client.send(
            b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (path.encode(), port)
        )
    finally:
        if own:
            client.close()


# -- processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fp:
                out += [int(c) for c in fp.read().split()]
    except OSError:
        pass
    return out


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fp:
                fields = fp.read().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / tick


def worker_rss_mib(pids: list[int]) -> float:
    """The largest VmRSS among these processes (a worker's, where there are several)."""
    largest = 0
    for pid in pids:
        with suppress(OSError, RuntimeError):
            largest = max(largest, vm_rss_kib(f"/proc/{pid}/status"))
    return largest / 1024


def redis_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as fp:
                    if fp.read().strip() == "redis-server":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


@dataclass
class Proc:
    """A child process in its own process group, stopped by group at the end."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self, cwd: Path) -> Proc:
        # A file, never a pipe: a full pipe would stall the server. Closed in stop().
        self._log = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if self.port == 0 else self._log,
            stderr=self._log,
            start_new_session=True,
        )
        _LIVE.append(self)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with suppress(Exception):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        if self in _LIVE:
            _LIVE.remove(self)

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


_LIVE: list[Proc] = []
_REDIS_PREFIXES: list[str] = []


def _cleanup() -> None:
    for proc in list(_LIVE):
        with suppress(Exception):
            proc.stop()
    for prefix in list(_REDIS_PREFIXES):
        with suppress(Exception):
            delete_redis_keys(prefix)


atexit.register(_cleanup)


def delete_redis_keys(prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        if prefix in _REDIS_PREFIXES:
            _REDIS_PREFIXES.remove(prefix)
        return len(keys)
    finally:
        client.close()


def redis_available() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def tornado_available() -> bool:
    try:
        import tornado  # noqa: F401
    except ImportError:
        return False
    return True


def aiogram_available() -> bool:
    try:
        import aiogram  # noqa: F401
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


# -- servers -----------------------------------------------------------------------------


@dataclass
class Target:
    key: str  # sample key prefix
    label: str
    kind: str  # "ours" or "peer"
    proc: Proc
    store_url: str | None = None  # where to seed sessions (ours)
    redis_prefix: str | None = None
    starts: int = 0

    @property
    def port(self) -> int:
        return self.proc.port


async def wait_ready(target: Target, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    path = "/readyz" if target.kind == "ours" else "/telegram"
    while loop.time() < deadline:
        if not target.proc.alive():
            raise RuntimeError(f"{target.label} exited:\n{target.proc.tail()}")
        try:
            status, _ = await asyncio.wait_for(get(target.port, path), 2)
            if (target.kind == "ours" and status == 200) or (target.kind == "peer" and status):
                return
        except (OSError, ConnectionError, TimeoutError):
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{target.label} not ready after {timeout} s:\n{target.proc.tail()}")


# Ours paces its replies to Telegram's limits (30 a second overall, 1 a second per chat
# after a burst); the peers send as fast as they can, and the counting fake enforces no
# limit. This benchmark measures what each server can handle, so ours runs with the pacing
# lifted as far as the peers'; what the limits add is `delivery_limits`' row. With the
# defaults, ours is held at about 22 replies a second here (2026-12-05, p99 1.1 s at 16
# connections): the overall limit, not the server.
UNPACED = {
    "ZANSAI_RATE_OVERALL": "1000000",
    "ZANSAI_BURST_OVERALL": "1000000",
    "ZANSAI_RATE_PER_CHAT": "1000000",
    "ZANSAI_BURST_PER_CHAT": "1000000",
}


def make_targets(ctx: Context, fake_port: int) -> list[Target]:
    base = f"http://127.0.0.1:{fake_port}/bot"
    env = {
        **subprocess_env(),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ZANSAI_TELEGRAM_BASE_URL": base,
        "ZANSAI_WEBHOOK_SECRET": SECRET,
        "PYTHONPATH": str(ctx.repo),
    }
    env.pop("ZANSAI_LOG_LEVEL", None)  # the default (INFO), as deployed
    targets = []

    def ours(key: str, label: str, workers: int, store: str, extra: dict[str, str]) -> Target:
        port = free_port()
        argv = [ctx.python, "-m", "bot.cli", "webhook", "--port", str(port)]
        argv += ["--workers", str(workers)]
        proc = Proc(label, argv, {**env, **UNPACED, "ZANSAI_STORE": store, **extra},
                    ctx.tmp / f"{key}.log")
        proc.port = port
        return Target(key, label, "ours", proc, store_url=store)

    db = ctx.tmp / "webhook-load.db"
    targets.append(ours("sqlite", "zansai webhook, 1 worker, SQLite", 1, f"sqlite:///{db}", {}))
    if redis_available():
        prefix = f"zansai-bench-{os.getpid()}-{secrets.token_hex(4)}:"
        _REDIS_PREFIXES.append(prefix)
        t = ours(
            "redis",
            "zansai webhook --workers 2, Redis",
            2,
            REDIS_URL,
            {"ZANSAI_REDIS_PREFIX": prefix},
        )
        t.redis_prefix = prefix
        targets.append(t)
    def peer(key: str, label: str, module: str, extra: list[str]) -> Target:
        port = free_port()
        argv = [ctx.python, "-m", module, "--port", str(port)]
        argv += ["--secret", SECRET, "--base-url", base, *extra]
        proc = Proc(label, argv, env, ctx.tmp / f"{key}.log")
        proc.port = port
        return Target(key, label, "peer", proc)

    if tornado_available():
        pickle = str(ctx.tmp / "ptb-car-sale.pickle")
        targets.append(peer("ptb", "PTB run_webhook + ConversationHandler",
                            "bench.ptb_echo_webhook", ["--persistence", pickle]))
    if aiogram_available():
        targets.append(peer("aiogram", "aiogram 3, 1 worker, MemoryStorage",
                            "bench.aiogram_car_sale", []))
        if redis_available():
            prefix = f"zansai-bench-aiogram-{os.getpid()}-{secrets.token_hex(4)}"
            _REDIS_PREFIXES.append(prefix)
            t = peer("aiogram_redis", "aiogram 3, 2 workers, RedisStorage",
                     "bench.aiogram_car_sale",
                     ["--workers", "2", "--redis", REDIS_URL, "--prefix", prefix])
            t.redis_prefix = prefix
            targets.append(t)
    return targets


async def start(ctx: Context, target: Target) -> None:
    target.proc.start(ctx.repo)
    target.starts += 1
    await wait_ready(target)


# -- chats -------------------------------------------------------------------------------


@dataclass
class Slot:
    """A chat being played: a template, where it is in it, its (fresh) chat id."""

    template: Template
    index: int
    chat_id: int
    update_id: int = 0

    def body(self) -> bytes:
        if not self.update_id:
            self.update_id = next(_ids)
        return self.template.body(self.index, self.chat_id, self.update_id)

    @property
    def sends(self) -> int:
        return self.template.sends[self.index]


@dataclass
class Chats:
    """The chats one connection plays, round-robin; a finished chat is replaced by a new one."""

    templates: list[Template]
    picks: Iterator[int]
    slots: list[Slot] = field(default_factory=list)
    cursor: int = 0
    replaced: int = 0

    def next(self) -> Slot:
        slot = self.slots[self.cursor % len(self.slots)]
        self.cursor += 1
        return slot

    def advance(self, slot: Slot) -> None:
        slot.index += 1
        slot.update_id = 0
        if slot.index >= len(slot.template.bodies):
            slot.template = self.templates[next(self.picks)]
            slot.index = 0
            slot.chat_id = next(_chats)
            self.replaced += 1


_STARTS: dict[int, list[int]] = {}


def conversation_start(t: Template, index: int) -> int:
    """Where the conversation the update at `index` belongs to began (its /start)."""
    starts = _STARTS.get(id(t))
    if starts is None:
        starts, last = [], 0
        for i, body in enumerate(t.bodies):
            if b'"text":"/start"' in body:
                last = i
            starts.append(last)
        _STARTS[id(t)] = starts
    return starts[index]


def deal(
    templates: list[Template], connections: int, rng: random.Random, fresh: bool = False
) -> tuple[list[Chats], list[tuple[int, str]]]:
    """Chats for each connection, joining mid-conversation (`fresh`: at the start of one);
    and the sessions to seed (ours' stored session before the update each chat starts at)."""
    per = max(1, ACTIVE_CHATS // connections)
    picks = itertools.cycle(rng.sample(range(len(templates)), len(templates)))
    out, seeds = [], []
    for _ in range(connections):
        chats = Chats(templates, picks)
        for _ in range(per):
            t = templates[next(picks)]
            index = rng.randrange(len(t.bodies))
            if fresh:
                index = conversation_start(t, index)
            chat_id = next(_chats)
            chats.slots.append(Slot(t, index, chat_id))
            session = t.sessions[index]
            if session is not None and not fresh:
                seeds.append((chat_id, session))
        out.append(chats)
    return out, seeds


def peer_seed(ctx: Context, target: Target, seeds: list[tuple[int, str]]) -> list[str]:
    """A peer's storage holding the chats where ours' sessions have them (the peers keep
    state and data, `peer_car_sale.from_session`): PTB's pickle file, or a JSON file the
    aiogram peer stores with its own set_state / set_data. Returns the arguments to add."""
    from bench.peer_car_sale import from_session

    chats = []
    for chat, text in seeds:
        found = from_session(text)
        if found is not None:
            chats.append((chat, *found))
    path = ctx.tmp / f"{target.key}-seed-{target.starts}"
    if target.key == "ptb":
        from bench.ptb_car_sale import write_seed

        path = path.with_suffix(".pickle")
        write_seed(path, chats)
        return ["--persistence", str(path)]
    path = path.with_suffix(".json")
    path.write_text(json.dumps(chats, ensure_ascii=False), encoding="utf-8")
    return ["--seed", str(path)]


async def start_peer(
    ctx: Context, state: State, target: Target, seeds: list[tuple[int, str]]
) -> None:
    """Start a peer on its seeded storage and warm it up (fresh chats, untimed)."""
    base_argv = target.proc.argv
    target.proc.argv = [*base_argv, *peer_seed(ctx, target, seeds)]
    try:
        began = time.perf_counter()
        await start(ctx, target)
        chats, _ = deal(state.templates, 16, random.Random(target.starts), fresh=True)
        warm = ctx.pick(1.0, 0.5)
        await cell(target, state.fake_port, state.fake, chats, 16, warm, 1.0)
        ctx.log(f"[webhook_load] {target.label} started and warmed in "
                f"{time.perf_counter() - began:.1f} s")
    finally:
        target.proc.argv = base_argv


def stop_peer(target: Target) -> None:
    """Stop a peer at once: what it still has queued is of no interest to the next cell."""
    target.proc.stop(signal.SIGKILL)
    if target.redis_prefix:
        with suppress(Exception):
            delete_redis_keys(target.redis_prefix)
            _REDIS_PREFIXES.append(target.redis_prefix)  # and again at the end


async def seed(target: Target, seeds: list[tuple[int, str]]) -> None:
    """Write the sessions the chats start from into the server's store, with its own save."""
    from bot.core.session import Session

    if target.kind != "ours" or not seeds:
        return
    if target.redis_prefix is not None:
        from bot.storage.redis_store import RedisStore

        store = RedisStore(REDIS_URL, prefix=target.redis_prefix)
        try:
            for start_at in range(0, len(seeds), 50):  # redis-py: at most 100 connections
                await asyncio.gather(
                    *(
                        store.save(Session.loads(f"telegram:{chat}", text))
                        for chat, text in seeds[start_at : start_at + 50]
                    )
                )
        finally:
            await store.close()
        return
    from bot.storage import SqliteStore

    assert target.store_url is not None
    sqlite = SqliteStore(target.store_url.removeprefix("sqlite:///"))
    try:
        for chat, text in seeds:
            sqlite.save(Session.loads(f"telegram:{chat}", text))
    finally:
        sqlite.close()


# -- one cell ----------------------------------------------------------------------------


@dataclass
class Cell:
    rps: float
    p50_ms: float
    p99_ms: float
    replies_per_s: float
    drain_s: float
    drain_rate: float  # replies/s delivered while draining (what the server does unloaded)
    backlog: float  # replies that arrived after the last response
    estimated: bool  # the drain did not finish within the cap and was extrapolated
    answered: int
    failed: int  # non-2xx answers (retried) and broken connections
    expected_replies: int  # ours: sendMessage calls the answered updates imply
    delivered: int  # sendMessage calls during the window and the drain
    seconds: float
    cpu: dict[str, float]  # process -> cores used during the window
    replaced: int
    e2e: float = 0.0  # replies the answered updates imply, delivered, over window + drain
    marked: float = 0.0  # presses whose message was marked with the choice, per press answered
    rss_mib: float = 0.0  # the largest worker's VmRSS after the cell


async def stats(fake: Client) -> dict[str, Any]:
    status, body = await fake.send(b"GET /stats HTTP/1.1\r\nHost: fake\r\n\r\n")
    if status != 200:
        raise RuntimeError(f"fake API /stats answered {status}")
    return json.loads(body)


async def cell(
    target: Target,
    fake_port: int,
    fake_proc: Proc,
    chats: list[Chats],
    connections: int,
    window: float,
    drain_cap: float,
) -> Cell:
    loop = asyncio.get_running_loop()
    fake = await Client.connect(fake_port)
    clients = [await Client.connect(target.port) for _ in range(connections)]
    latencies: list[int] = []
    failures = 0
    answered = expected = 0
    head_cache: dict[int, bytes] = {}
    port = target.port
    clock = time.perf_counter_ns

    async def play(client: Client, mine: Chats, end: float) -> None:
        nonlocal failures, answered, expected
        while loop.time() < end:
            slot = mine.next()
            body = slot.body()
            head = head_cache.get(len(body))
            if head is None:
                head = head_cache[len(body)] = post_head(port, len(body))
            began = clock()
            try:
                status, _ = await client.send(head + body)
            except ConnectionError:
                failures += 1
                client = await Client.connect(port)
                continue
            latencies.append(clock() - began)
            if 200 <= status < 300:
                answered += 1
                expected += slot.sends
                mine.advance(slot)
            else:  # Telegram retries the same update; so do we, after a short pause
                failures += 1
                mine.cursor -= 1
                await asyncio.sleep(0.01)
        client.close()

    pids = {"server": tree(target.proc.process.pid), "fake": [fake_proc.process.pid]}
    if target.redis_prefix:
        pids["redis"] = redis_pids()
    before = await stats(fake)
    cpu_before = {name: cpu_seconds(p) for name, p in pids.items()}
    own_before = time.process_time()
    started = loop.time()
    plays = (play(c, m, started + window) for c, m in zip(clients, chats, strict=True))
    await asyncio.gather(*plays)
    finished = loop.time()
    at_end = await stats(fake)
    elapsed = finished - started
    cpu = {name: (cpu_seconds(p) - cpu_before[name]) / elapsed for name, p in pids.items()}
    cpu["load generator"] = (time.process_time() - own_before) / elapsed
    # The drain: how long the fake keeps receiving sendMessage after the last response.
    count, last_change, estimated = at_end["sendMessage"], finished, False
    cap_at = finished + drain_cap
    while True:
        await asyncio.sleep(0.02)
        now = loop.time()
        current = (await stats(fake))["sendMessage"]
        if current != count:
            count, last_change = current, now
        elif now - last_change >= QUIET_S:
            break
        if now >= cap_at:
            estimated = True
            break
    delivered_after = count - at_end["sendMessage"]
    drain = max(0.0, last_change - finished)
    backlog = float(delivered_after)
    rate = delivered_after / drain if drain > 0 else 0.0
    delivered = count - before["sendMessage"]
    left = 0
    if estimated:  # a peer still working through its queue: extrapolate at its drain rate
        rate = delivered_after / max(1e-9, loop.time() - finished)
        left = max(0, expected - delivered)  # the peers send what ours sends, update by update
        drain += left / rate if rate > 0 else float("inf")
        backlog += left
    final = await stats(fake)
    rss = worker_rss_mib(tree(target.proc.process.pid))
    presses = final["calls"].get("answerCallbackQuery", 0) - before["calls"].get(
        "answerCallbackQuery", 0
    )
    edits = final["calls"].get("editMessageText", 0) - before["calls"].get("editMessageText", 0)
    fake.close()
    latencies.sort()
    replaced = sum(c.replaced for c in chats)
    return Cell(
        rps=answered / elapsed,
        p50_ms=percentile(latencies, 0.5) / 1e6,
        p99_ms=percentile(latencies, 0.99) / 1e6,
        replies_per_s=(at_end["sendMessage"] - before["sendMessage"]) / elapsed,
        drain_s=drain,
        drain_rate=rate,
        backlog=backlog,
        estimated=estimated,
        answered=answered,
        failed=failures,
        expected_replies=expected,
        delivered=delivered,
        seconds=elapsed,
        cpu=cpu,
        replaced=replaced,
        e2e=(delivered + left) / (elapsed + drain),
        marked=edits / presses if presses else float("nan"),
        rss_mib=rss,
    )


# -- the benchmark -----------------------------------------------------------------------


@dataclass
class State:
    templates: list[Template]
    fake: Proc
    fake_port: int
    targets: list[Target]
    window: float
    drain_cap: float
    notes: list[str]
    measured: dict[str, float] | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    runs: int = 0
    seconds: float = 0.0
    stopped: bool = False


def _run(coro: Any) -> Any:
    try:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coro)
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)


def setup(ctx: Context) -> State:
    notes = []
    corpus = build_corpus(ctx.pick(600, 200), ctx.pick(30_000, 8_000), peers=True)
    templates = [template(chat) for chat in corpus.chats]
    ctx.log(
        f"[webhook_load] {corpus.updates:,} template updates from {len(templates)} chats "
        f"built in {corpus.seconds:.1f} s"
    )
    fake = Proc(
        "fake Bot API",
        [ctx.python, "-m", "bot.tools.fake_bot_api", "--counting", "--port", "0"],
        {**subprocess_env(), "PYTHONPATH": str(ctx.repo)},
        ctx.tmp / "fake.log",
    )
    fake.start(ctx.repo)
    assert fake.process is not None and fake.process.stdout is not None
    line = fake.process.stdout.readline().decode()
    if not line.startswith("port "):
        raise RuntimeError(f"the fake Bot API did not start: {line!r}\n{fake.tail()}")
    fake_port = int(line.split()[1])
    targets = make_targets(ctx, fake_port)
    if not any(t.key == "redis" for t in targets):
        notes.append(f"Redis not reachable at {REDIS_URL}: the 2-worker rows are missing")
    if not any(t.key == "ptb" for t in targets):
        notes.append(
            "tornado is not installed, so PTB's run_webhook (a peer) cannot run: "
            "pip install -e '.[bench]'"
        )
    if not any(t.key == "aiogram" for t in targets):
        notes.append("aiogram is not installed, so its rows are missing: pip install -e '.[bench]'")
    state = State(
        templates,
        fake,
        fake_port,
        targets,
        window=ctx.pick(10, 3),
        drain_cap=ctx.pick(4, 1.5),
        notes=notes,
    )

    async def boot() -> None:
        for target in targets:  # ours: started once; a peer is started for each of its cells
            if target.kind != "ours":
                continue
            began = time.perf_counter()
            await start(ctx, target)
            ctx.log(f"[webhook_load] {target.label} ready in {time.perf_counter() - began:.1f} s")
            # Warm up (imports, catalogs, Babel, connection pools), untimed.
            warm = ctx.pick(1.0, 0.5)
            chats, seeds = deal(templates, 16, random.Random(1))
            await seed(target, seeds)
            await cell(target, fake_port, fake, chats, 16, warm, 1.0)

    _run(boot())
    return state


def measure(ctx: Context, state: State) -> dict[str, float]:
    rng = random.Random(20_260_601)
    samples: dict[str, float] = {}

    async def go() -> None:
        for connections in CONNECTIONS:
            for target in state.targets:
                chats, seeds = deal(state.templates, connections, rng)
                if target.kind == "ours":
                    await seed(target, seeds)
                else:
                    await start_peer(ctx, state, target, seeds)
                ctx.log(f"[webhook_load] {target.label}, {connections} connections")
                try:
                    result = await cell(
                        target,
                        state.fake_port,
                        state.fake,
                        chats,
                        connections,
                        state.window,
                        state.drain_cap,
                    )
                finally:
                    if target.kind != "ours":
                        stop_peer(target)
                state.cells[f"{target.key}_{connections}"] = result
                prefix = f"{target.key}_{connections}_"
                for name in CELL_FIELDS:
                    samples[prefix + name] = float(getattr(result, name))
                samples[prefix + "failed"] = float(result.failed)
                samples[prefix + "cpu_server"] = result.cpu.get("server", 0.0)

    _run(go())
    for key in (*OURS, *PEERS):  # a server that could not run: NaN, "—" in the table
        for connections in CONNECTIONS:
            for name in CELL_FIELDS:
                samples.setdefault(f"{key}_{connections}_{name}", float("nan"))
    for connections in CONNECTIONS:  # the goal is against the best peer, end to end
        peers = [samples[f"{key}_{connections}_e2e"] for key in PEERS]
        peers = [value for value in peers if value == value]  # not NaN
        samples[f"best_peer_{connections}_e2e"] = max(peers) if peers else float("nan")
    return samples


def run(ctx: Context, state: State) -> Samples:
    state.runs += 1
    if state.measured is None:
        began = time.perf_counter()
        state.measured = measure(ctx, state)
        state.seconds = time.perf_counter() - began
    if state.runs >= ctx.runs:
        stop_all(state)
    return state.measured


def stop_all(state: State) -> None:
    if state.stopped:
        return
    state.stopped = True
    for target in state.targets:
        target.proc.stop()
        if target.redis_prefix:
            with suppress(Exception):
                state.notes.append(
                    f"Redis: deleted {delete_redis_keys(target.redis_prefix):,} keys under "
                    f"{target.redis_prefix}"
                )
    state.fake.stop()


def report(ctx: Context, state: State, medians: Samples) -> Findings:
    stop_all(state)  # idempotent; in case run() did not reach the last repetition
    lines = [
        f"machine: {os.cpu_count()} CPUs shared by the load generator, the fake Bot API, the "
        "server (and Redis): throughput is what is left after the other two; `cores` says how "
        "many cores each used during the window (a peer's server CPU per update counts what it "
        "accepted, not what it processed)",
        f"each cell: {state.window:.0f} s window, then up to {state.drain_cap:g} s of drain "
        f"watching (quiet after {QUIET_S} s); {ACTIVE_CHATS} chats in play, fresh ids per "
        "cell, car_sale conversations; chats join mid-conversation, their place first written to "
        "the server's storage (a peer is started on it for each cell, warmed up, and killed "
        "after); measured once in this invocation"
        + (f" (the runner's {ctx.runs} repetitions repeat it)" if ctx.runs > 1 else ""),
        "server                                 conns   upd/s  p50 ms  p99 ms  replies/s  "
        "drain s  backlog  end-to-end/s  failed  replies ok  marked  RSS MiB  "
        "server CPU ms/upd  cores server/fake/gen(/redis)",
    ]
    details: dict[str, Any] = {"cells": {}}
    for connections in CONNECTIONS:
        for target in state.targets:
            c = state.cells.get(f"{target.key}_{connections}")
            if c is None:
                continue
            if c.estimated:
                ok = "(drain)"
            elif c.delivered == c.expected_replies:
                ok = "yes"
            else:
                ok = f"{c.delivered}/{c.expected_replies}"
            cpu = "/".join(
                f"{c.cpu.get(k, 0):.2f}"
                for k in ("server", "fake", "load generator", "redis")
                if k in c.cpu
            )
            lines.append(
                f"{target.label:<39}{connections:>5} {c.rps:>7,.0f} {c.p50_ms:>7.1f} "
                f"{c.p99_ms:>7.1f} {c.replies_per_s:>10,.0f} "
                f"{('~' if c.estimated else '') + format(c.drain_s, '.2f'):>8} "
                f"{c.backlog:>8,.0f} {c.e2e:>13,.0f} {c.failed:>7} {ok:>11} "
                f"{100 * c.marked:>6.1f}% {c.rss_mib:>8.1f} "
                f"{1000 * c.cpu.get('server', 0) / max(c.rps, 1e-9):>17.2f}  {cpu}"
            )
            details["cells"][f"{target.key}_{connections}"] = c.__dict__
    lines.append(
        "replies ok: every sendMessage the answered updates imply reached the fake (the peers "
        "send what ours sends, update by update; checked offline by ptb_update). ~ = drain "
        "extrapolated (then end to end counts the replies still owed). marked: pressed "
        "messages edited to show the choice, per press; a press handled in another state "
        "than it was sent in (a chat's updates handled out of order) is not marked."
    )
    return Findings(details, [*state.notes, *lines])


PEER_LABELS = {
    "ptb": "PTB run_webhook + ConversationHandler",
    "aiogram": "aiogram 3, MemoryStorage",
    "aiogram_redis": "aiogram 3 ×2, RedisStorage",
}


def _rows() -> tuple[Row, ...]:
    rows = []
    for connections in CONNECTIONS:
        best = f"best_peer_{connections}_e2e"
        for key, label in (("sqlite", "1 worker SQLite"), ("redis", "2 workers Redis")):
            p = f"{key}_{connections}_"
            rows += [
                Row(
                    f"{label}, {connections} conns: replies/s end to end",
                    p + "e2e",
                    "/s",
                    anchor=best,
                    anchor_label="the best peer, drain counted",
                    goal=GOAL_E2E_RATIO,
                    goal_on="ratio",
                    at_least=True,
                ),
                Row(
                    f"{label}, {connections} conns: p99",
                    p + "p99_ms",
                    "ms",
                    goal=GOAL_P99_MS if connections == 64 else None,
                ),
                Row(
                    f"{label}, {connections} conns: drain after the load",
                    p + "drain_s",
                    "s",
                    goal=0.0,
                ),
            ]
        if connections == CONNECTIONS[-1]:
            rows += [
                Row(
                    f"{label}: worker RSS with the reader loaded, after the load",
                    f"{key}_{connections}_rss_mib",
                    "MiB",
                    anchor=f"ptb_{connections}_rss_mib",
                    anchor_label="the PTB peer's process, after the same load",
                )
                for key, label in (("sqlite", "1 worker SQLite"), ("redis", "2 workers Redis"))
            ]
        for key in PEERS:
            rows.append(
                Row(
                    f"peer {PEER_LABELS[key]}, {connections} conns: replies/s end to end",
                    f"{key}_{connections}_e2e",
                    "/s",
                    anchor=f"{key}_{connections}_rps",
                    anchor_label="updates/s it accepted",
                )
            )
    return tuple(rows)


BENCHMARK = Benchmark(
    name="webhook_load",
    title="The webhook under load, beside its peers",
    setup=setup,
    run=run,
    report=report,
    rows=_rows(),
)

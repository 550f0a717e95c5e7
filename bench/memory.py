"""Memory: bytes a stored session takes, and the RSS of a bot process whose SQLite store
holds a million sessions (100,000 with --quick) against the same process with none.

Stored bytes are `len(session.dumps().encode())` after every turn of the scripted
conversations of `bench.scripts` replayed across 1,000 users (every state of every flow,
the language picker and the menu, pending confirmations; versions as they grow). The RSS
numbers come from `bench.rss_child`, one fresh process per measurement, reading VmRSS from
/proc/self/status; its sessions are a sample of those stored forms.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.core import (
    Benchmark,
    Context,
    Findings,
    OfflineTurns,
    Row,
    Samples,
    median,
    subprocess_env,
)
from bench.scripts import build_scripts, schedule
from bot.app import build_engine
from bot.storage import MemoryStore
from flows import FLOWS

GOAL_BYTES = 512
GOAL_RSS_RATIO = 1.10
MiB = 1024


@dataclass
class State:
    sizes: list[int]
    by_state: dict[str, list[int]]
    corpus: Path
    sessions: int


def setup(ctx: Context) -> State:
    engine = build_engine(warm_up=False)
    turns = schedule(build_scripts(engine, FLOWS), users=1_000, turns=30_000)
    conversations = OfflineTurns(engine, MemoryStore())
    texts: list[str] = []
    by_state: dict[str, list[int]] = defaultdict(list)
    for turn in turns:
        conversations.turn(turn.user, turn.event, turn.language_code)
        session = conversations.session(turn.user)
        if session is None:  # /forget
            continue
        text = session.dumps()
        texts.append(text)
        where = "lang" if session.lang is None else f"{session.flow or 'menu'}.{session.state}"
        if session.pending:
            where += "+" + ",".join(sorted(session.pending))
        by_state[where].append(len(text.encode()))
    corpus = ctx.tmp / "corpus.json"
    sample = random.Random(6).sample(texts, min(5_000, len(texts)))
    corpus.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    sizes = [len(t.encode()) for t in texts]
    return State(sizes, dict(by_state), corpus, ctx.pick(1_000_000, 100_000))


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _child(ctx: Context, state: State, db: Path, write: int, users: int) -> dict[str, Any]:
    command = [
        ctx.python, "-m", "bench.rss_child", "--db", str(db), "--corpus", str(state.corpus),
        "--write", str(write), "--users", str(users),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ctx.repo, env=subprocess_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.rss_child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(ctx: Context, state: State) -> Samples:
    empty, full_db = ctx.tmp / "rss-empty.db", ctx.tmp / "rss-full.db"
    _remove(empty), _remove(full_db)
    try:
        none = _child(ctx, state, empty, 0, 0)
        full = _child(ctx, state, full_db, state.sessions, state.sessions)
        served = _child(ctx, state, full_db, 0, state.sessions)
    finally:
        _remove(empty), _remove(full_db)
    if full["loaded"] != 50 or served["loaded"] != 50:
        raise RuntimeError("the stored sessions could not be loaded back")
    return {
        "bytes_median": median(state.sizes),
        "bytes_max": max(state.sizes),
        "rss_none_mib": none["rss_after_kib"] / MiB,
        "rss_before_mib": full["rss_ready_kib"] / MiB,
        "rss_after_mib": full["rss_after_kib"] / MiB,
        "hwm_mib": full["hwm_kib"] / MiB,
        "rss_served_mib": served["rss_after_kib"] / MiB,
        "open_empty_ms": none["open_s"] * 1000,
        "open_full_ms": served["open_s"] * 1000,
        "insert_s": full["insert_s"],
        "file_bytes_per_session": full["file_bytes"] / state.sessions,
        "file_mib": full["file_bytes"] / MiB / MiB,
    }


def report(ctx: Context, state: State, medians: Samples) -> Findings:
    biggest = sorted(((max(v), k) for k, v in state.by_state.items()), reverse=True)[:3]
    n = state.sessions
    details = {
        "sessions_in_sqlite": n,
        "stored_forms_measured": len(state.sizes),
        "states_measured": len(state.by_state),
        "largest_states_bytes": {k: v for v, k in biggest},
        "insert_sessions_per_s": round(n / medians["insert_s"]),
    }
    notes = [
        f"stored session: median {medians['bytes_median']:.0f} B, max {medians['bytes_max']:.0f} B "
        f"over {len(state.sizes):,} stored forms in {len(state.by_state)} states; largest: "
        + ", ".join(f"{k} {v} B" for v, k in biggest),
        f"RSS with {n:,} sessions in SQLite: {medians['rss_before_mib']:.1f} MiB before writing "
        f"them → {medians['rss_after_mib']:.1f} MiB after (peak {medians['hwm_mib']:.1f} MiB); "
        f"same process with no sessions: {medians['rss_none_mib']:.1f} MiB; a fresh process "
        f"serving the filled store (50 stored conversations continued): "
        f"{medians['rss_served_mib']:.1f} MiB",
        f"SQLite file {medians['file_mib']:.0f} MiB for {n:,} sessions = "
        f"{medians['file_bytes_per_session']:.0f} B/session (WAL checkpointed); written in "
        f"{medians['insert_s']:.1f} s (executemany, 20,000 per transaction, "
        f"{details['insert_sessions_per_s']:,}/s)",
        f"SqliteStore() open: {medians['open_full_ms']:.0f} ms with {n:,} sessions vs "
        f"{medians['open_empty_ms']:.1f} ms empty (its expire() finds idle rows by the "
        f"index on sessions.updated)",
    ]
    return Findings(details, notes)


BENCHMARK = Benchmark(
    name="memory",
    title="Memory per session",
    setup=setup,
    run=run,
    report=report,
    rows=(
        Row("stored session, median", "bytes_median", "B", goal=GOAL_BYTES),
        Row("stored session, max", "bytes_max", "B", goal=GOAL_BYTES),
        Row(
            "SQLite file per session",
            "file_bytes_per_session",
            "B",
            anchor="bytes_median",
            anchor_label="stored session, median",
        ),
        Row(
            "RSS after writing 1M sessions",
            "rss_after_mib",
            "MiB",
            anchor="rss_none_mib",
            anchor_label="no sessions",
            goal=GOAL_RSS_RATIO,
            goal_on="ratio",
            quick_label="RSS after writing 100k sessions",
        ),
        Row(
            "RSS serving 1M sessions",
            "rss_served_mib",
            "MiB",
            anchor="rss_none_mib",
            anchor_label="no sessions",
            goal=GOAL_RSS_RATIO,
            goal_on="ratio",
            quick_label="RSS serving 100k sessions",
        ),
    ),
)

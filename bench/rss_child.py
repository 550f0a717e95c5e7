"""One memory measurement in a fresh process (`python -m bench.rss_child ...`, by bench.memory).

Opens a SqliteStore the way the bot does, runs a few turns, then writes --write N sessions
(the stored forms in --corpus, cycled, under random-looking Telegram user keys) with
`executemany`, one transaction per batch; then uses the store as the bot would (continues
50 of the --users stored conversations, runs a few turns) and prints VmRSS before and after
as one JSON line. --write 0 --users 0 is the baseline (an empty store); --write 0 --users N
serves a store that another process filled.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

UPSERT = (  # the statement SqliteStore.save runs (bot/stores.py)
    "INSERT INTO sessions (user, data, updated) VALUES (?, ?, ?) "
    "ON CONFLICT(user) DO UPDATE SET data = excluded.data, updated = excluded.updated"
)


WARM_UP = {
    "car_sale": ("@car_sale", "@lender", "@standard", "150万", "120万", "@no", "@business"),
    "card_overdue": ("@card_overdue", "@gt3m", "@partial", "6万", "@twice_or_more"),
}


def status(field: str) -> int:
    with open("/proc/self/status") as fp:
        for line in fp:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def user_key(index: int) -> str:
    # A bijection on 32-bit numbers: distinct keys, inserted in no particular order.
    return f"telegram:{(index * 2654435761) % 2**32}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--write", type=int, required=True, help="sessions to write")
    parser.add_argument("--users", type=int, required=True, help="sessions in the store after")
    parser.add_argument("--batch", type=int, default=20_000)
    args = parser.parse_args()

    from bench.core import OfflineTurns
    from bot.app import build_engine
    from bot.core.events import Event
    from bot.storage import SqliteStore

    opened = time.perf_counter()
    store = SqliteStore(args.db)  # runs expire(): DELETE ... WHERE updated < ?
    open_s = time.perf_counter() - opened
    conversations = OfflineTurns(build_engine(warm_up=False), store)

    def chat(user: str) -> None:
        """Both flows to a verdict in both languages, so that every catalog and Babel's
        locale data are loaded before RSS is read (the stored sessions would load them)."""
        for flow, code in (("car_sale", "ja"), ("card_overdue", "zh-hans")):
            for lang in ("ja", "zh"):
                who = f"{user}:{flow}:{lang}"
                for line in (f"/lang {lang}", *WARM_UP[flow], "/summary", "/start"):
                    conversations.turn(who, Event.parse(line), code)

    chat("bench:probe")
    corpus = json.loads(Path(args.corpus).read_text(encoding="utf-8"))
    gc.collect()
    rss_ready = status("VmRSS")

    started = time.perf_counter()
    now = int(time.time())
    db = store.connection  # the store's own connection: the rows land where the bot reads them
    for first in range(0, args.write, args.batch):
        rows = (  # a generator: no batch list is held, so the RSS is the store's alone
            (user_key(i), corpus[i % len(corpus)], now)
            for i in range(first, min(first + args.batch, args.write))
        )
        db.execute("BEGIN IMMEDIATE")  # this child is the store's only user: no lock needed
        db.executemany(UPSERT, rows)
        db.execute("COMMIT")
    insert_s = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # Use the full store as the bot would: continue some stored conversations.
    found = 0
    for k in range(50):
        user = user_key(k * args.users // 50)
        found += store.load(user) is not None
        conversations.turn(user, Event.command("summary"), "ja")
    chat("bench:probe2")
    gc.collect()
    out = {
        "written": args.write,
        "users": args.users,
        "rss_ready_kib": rss_ready,
        "rss_after_kib": status("VmRSS"),
        "hwm_kib": status("VmHWM"),
        "insert_s": insert_s,
        "open_s": open_s,
        "file_bytes": os.path.getsize(args.db),
        "wal_bytes": os.path.getsize(args.db + "-wal") if os.path.exists(args.db + "-wal") else 0,
        "loaded": found,
    }
    store.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

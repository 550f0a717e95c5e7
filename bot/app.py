"""The composition root: the one place that puts engine, flows, store and runner together.

Every mode of the `zansai` command (console, polling, webhook) gets its turn runner here,
so they differ only in their adapter.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

from bot.core.engine import Engine
from bot.core.reader import Reader
from bot.storage import AsyncStore, open_store, session_ttl
from bot.turns import TurnRunner


def build_engine(warm_up: bool = True) -> Engine:
    """The engine with every consultation in `flows/` and the reader of their phrasings.

    The reader's language tools (SudachiPy, jieba) load in a background thread, so the first
    prompt is not kept waiting; a typed answer before they are ready waits for them."""
    from flows import FLOWS, PHRASINGS

    reader = Reader.from_directory(PHRASINGS, FLOWS)
    if warm_up:
        threading.Thread(target=reader.warm_up, name="zansai-reader", daemon=True).start()
    return Engine(FLOWS, reader, retention_days=retention_days())


def retention_days() -> int:
    """The days an idle session is kept, rounded up: what /privacy and the bot's description
    say (the stores delete it then)."""
    return max(1, math.ceil(session_ttl() / 86_400))


def sqlite_url(path: str | Path | None) -> str | None:
    """A `--db PATH` option as a store URL (None: the configured or default store)."""
    return None if path is None else f"sqlite:///{path}"


def build_runner(store_url: str | None = None, store: AsyncStore | None = None) -> TurnRunner:
    """A turn runner over `store`, or over the store `store_url` (default: $ZANSAI_STORE, else
    the embedded SQLite file) names."""
    return TurnRunner(build_engine(), store if store is not None else open_store(store_url))

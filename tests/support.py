"""A scripted chat with the real engine, for tests: send console-style lines, read replies."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot.app import build_engine
from bot.core.engine import Engine
from bot.core.events import Event, Reply
from bot.core.session import Session
from bot.storage import LocalAsyncStore, MemoryStore, SyncStore
from bot.turns import TurnRunner

ENGINE = build_engine()
T = TypeVar("T")
LOOP = asyncio.Runner()  # one event loop for every scripted chat of a test run


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from synchronous test code, also where an event loop is
    running already (an async test computing what to expect): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return LOOP.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Chat:
    """One user talking to the bot; lines are parsed like the console's --json input."""

    def __init__(
        self,
        lang: str | None = "ja",
        store: SyncStore | None = None,
        user: str = "u1",
        engine: Engine | None = None,
    ):
        self.store = store if store is not None else MemoryStore()
        self.runner = TurnRunner(engine or ENGINE, LocalAsyncStore(self.store))
        self.user = user
        self.replies: list[Reply] = []
        if lang:
            self.send(f"/lang {lang}")

    def send(self, line: str) -> list[Reply]:
        return self.turn(Event.parse(line))

    def turn(
        self, event: Event, language_code: str | None = None, user: str | None = None
    ) -> list[Reply]:
        """One event through the real turn runner (as this chat's user, or as `user`)."""
        turn = run(self.runner.turn(user or self.user, event, language_code))
        self.replies = turn.replies if turn is not None else []
        return self.replies

    def load(self, user: str | None = None) -> Session | None:
        """The session as stored after the last turn (None: nothing stored)."""
        return self.store.load(user or self.user)

    def run(self, *lines: str) -> list[Reply]:
        for line in lines:
            self.send(line)
        return self.replies

    @property
    def session(self) -> Session:
        session = self.store.load(self.user)
        assert session is not None
        return session

    @property
    def state(self) -> str | None:
        return self.session.state

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def verdict(self) -> str | None:
        return next((r.verdict for r in self.replies if r.verdict), None)


def path_lines(flow, steps) -> list[str]:
    """What a user types or presses to give an explored path's answers (bot.tools.explore)
    through the engine: the buttons, and amounts typed (confirmed where implausible)."""
    lines = [f"@{flow.id}"]
    for step in steps:
        if isinstance(step.answer, str):
            lines.append(f"@{step.answer}")
            continue
        lines.append(str(step.answer))
        limit = flow.question(step.question).plausible_max
        if limit is not None and step.answer > limit:
            lines.append("@yes")  # the engine confirms implausible amounts
    return lines

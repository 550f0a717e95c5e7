"""A scripted chat with the real engine, for tests: send console-style lines, read replies."""

from __future__ import annotations

from bot.engine import Conversations, Engine
from bot.events import Event, Reply
from bot.session import Session
from bot.stores import MemoryStore, Store
from flows import FLOWS

ENGINE = Engine(FLOWS)


class Chat:
    """One user talking to the bot; lines are parsed like the console's --json input."""

    def __init__(
        self,
        lang: str | None = "ja",
        store: Store | None = None,
        user: str = "u1",
        engine: Engine | None = None,
    ):
        store = store if store is not None else MemoryStore()
        self.conversations = Conversations(engine or ENGINE, store)
        self.user = user
        self.replies: list[Reply] = []
        if lang:
            self.send(f"/lang {lang}")

    def send(self, line: str) -> list[Reply]:
        self.replies = self.conversations.turn(self.user, Event.parse(line))
        return self.replies

    def run(self, *lines: str) -> list[Reply]:
        for line in lines:
            self.send(line)
        return self.replies

    @property
    def session(self) -> Session:
        session = self.conversations.session(self.user)
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

"""The one turn runner: every adapter (console, polling, webhook) applies a turn through it.

    lock(chat) ─► outbox left? ─► seen(update_id)? ─► load ─► Engine.handle
                  └ deliver the rest   └ yes: unlock, apply nothing       │
    unlock ◄─ record each one delivered ◄─ send, in order ◄─ save session+update id+outbox

A session is loaded, advanced and saved every turn before the answer: the session, the
update id and the turn's replies as the adapter renders them (its *outbox*) are saved
together, and only then are the replies sent, one by one, each recorded as delivered. A
user never sees an answer the bot then forgets. When a send fails (Telegram unreachable, a
429 beyond what the adapter waits for, a crash), the turn stays applied with its outbox, and
whatever comes next for the chat — Telegram's retry of the update, the chat's next update,
after a restart too — first delivers the rest, after the last one delivered: never lost,
never sent twice (except the one message in flight when a process dies: Telegram has no
idempotent send). A message Telegram refuses for good (`Undeliverable`) drops the rest; if
it was the turn's first reply, the turn is undone (`restore`), so "try again" means it.

The console passes no courier: its replies are returned, never stored.

The result (`Turn`) says what happened — the question open before and after, whether a
pressed button was accepted, the verdict shown, whether the user's data was forgotten — so
adapters never re-derive it from the replies and never build sessions themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.engine import Engine
from bot.core.events import Event, Reply
from bot.core.i18n import DEFAULT_LANGUAGE
from bot.core.session import Session
from bot.storage.base import AsyncStore, Begun, Outbox, RetryLater


@dataclass(frozen=True, slots=True)
class Turn:
    """What one turn did."""

    replies: list[Reply]
    before: str | None  # the open question before the turn ("car_sale.owner", "menu", ...)
    after: str | None  # the open question after it; None when the user's data was forgotten
    place: str | None  # where the session stands after it, without side questions; None: forgotten
    lang: str  # the user's language after the turn (the default while none is chosen)
    accepted: bool  # False: a button of another question, refused; nothing was recorded
    verdict: str | None  # the verdict this turn showed, if it showed one
    forgotten: bool  # /forget deleted everything stored about the user
    language_changed: bool = False  # the user's language is another one after the turn

    @property
    def outcome(self) -> str:
        """One word for logs and metrics: forgotten, stale, verdict, repeated or advanced."""
        if self.forgotten:
            return "forgotten"
        if not self.accepted:
            return "stale"
        if self.verdict is not None:
            return "verdict"
        return "repeated" if self.after == self.before else "advanced"


@dataclass(frozen=True, slots=True)
class Where:
    """Where a user stands, as read under their chat's lock."""

    engine: Engine
    session: Session  # a copy, as stored (or new); changing it changes nothing stored
    stored: bool  # False: nothing is stored for this user (a new chat, or forgotten)

    @property
    def lang(self) -> str | None:
        """The language chosen (or the client's); None while not known."""
        return self.session.lang

    @property
    def speaks(self) -> str:
        """The language to say something in now."""
        return self.session.lang or DEFAULT_LANGUAGE

    @property
    def place(self) -> str:
        return self.engine.place(self.session)

    @property
    def answers(self) -> dict:
        return dict(self.session.answers)

    def current(self) -> list[Reply]:
        """What the user should see now: the open question, picker, menu or whole verdict."""
        return self.engine.current(self.session)

    def prompt(self) -> Reply:
        """The open question alone (after a verdict, its closing prompt): to ask again."""
        return self.engine.reprompt(self.session)[-1]


class Undeliverable(Exception):
    """A message the transport refuses for good (a bug in it, or the user blocked the bot):
    sending it again would fail again, so the rest of its outbox is dropped."""


class Courier(Protocol):
    """How an adapter delivers a turn's replies through the outbox."""

    def render(self, turn: Turn) -> list[dict[str, Any]]:
        """The turn's messages, in order, as JSON objects (the store keeps them as they are)."""
        ...

    async def send(self, message: dict[str, Any], hold: Callable[[], Awaitable[None]]) -> None:
        """Deliver one message, waiting and retrying as the transport needs; await `hold()`
        right before each request goes out. Raises Undeliverable for a message that never
        will be; anything else leaves it in the outbox for later."""
        ...


class TurnRunner:
    """Lock a chat, deliver what it is owed, load, run the engine, save, deliver: one turn."""

    def __init__(self, engine: Engine, store: AsyncStore) -> None:
        self.engine = engine
        self.store = store

    async def turn(
        self,
        user: str,
        event: Event,
        language_code: str | None = None,
        update_id: int | None = None,
        courier: Courier | None = None,
    ) -> Turn | None:
        """Apply one event; None if `update_id` was applied before (then only what its turn
        left undelivered is sent).

        With a courier, the chat's outbox is delivered first, then the turn is saved with
        its own outbox and that is delivered. Raises RetryLater when the store fails (before
        the save: nothing was saved); whatever `courier.send` raises passes through, the
        turn staying saved with what is left to deliver (Undeliverable: see the module).
        """
        async with self._begin(user, update_id) as begun:
            if begun.outbox is not None and courier is not None:
                try:
                    await self._deliver(begun, begun.outbox, courier, release=begun.seen)
                except Undeliverable:
                    await self._drop(begun, begun.outbox, release=begun.seen)
                    raise
            if begun.seen:
                return None
            previous = None
            if courier is not None and begun.session is not None:
                previous = Session.loads(user, begun.session.dumps())
            session = begun.session or self.engine.new_session(user, language_code)
            before, lang_before = self.engine.open_question(session), session.lang
            outcome = self.engine.handle(session, event)
            forgotten = outcome.forget
            turn = Turn(
                replies=outcome.replies,
                before=before,
                after=None if forgotten else self.engine.open_question(session),
                place=None if forgotten else self.engine.place(session),
                lang=session.lang or DEFAULT_LANGUAGE,
                accepted=not outcome.stale,
                verdict=outcome.verdict,
                forgotten=forgotten,
                language_changed=session.lang != lang_before,
            )
            if courier is None:
                if forgotten:
                    await begun.delete()
                else:
                    await begun.save(session)
                return turn
            outbox = Outbox(courier.render(turn))
            if forgotten:
                await begun.delete(outbox)
            else:
                await begun.save(session, outbox)
            try:
                await self._deliver(begun, outbox, courier, release=True)
            except Undeliverable:
                if outbox.delivered == 0 and not forgotten:
                    await begun.restore(previous)  # the user saw nothing of it: undo it
                else:
                    await self._drop(begun, outbox, release=True)
                raise
            return turn

    async def resume(self, user: str, courier: Courier) -> bool:
        """Deliver what the chat is owed, if anything (a retry outside any update); True if
        it owed something."""
        async with self._begin(user, None) as begun:
            if begun.outbox is None:
                return False
            try:
                await self._deliver(begun, begun.outbox, courier, release=True)
            except Undeliverable:
                await self._drop(begun, begun.outbox, release=True)
                raise
            return True

    async def _deliver(
        self, begun: Begun, outbox: Outbox, courier: Courier, release: bool
    ) -> None:
        """Send the outbox's messages after the last one delivered, recording each."""
        while not outbox.done:
            await courier.send(outbox.messages[outbox.delivered], begun.hold)
            outbox.delivered += 1
            await begun.delivered(outbox, release)

    @staticmethod
    async def _drop(begun: Begun, outbox: Outbox, release: bool) -> None:
        """An undeliverable message: the rest of its outbox is never sent."""
        outbox.delivered = len(outbox.messages)
        await begun.delivered(outbox, release)

    async def where(self, user: str, language_code: str | None = None) -> Where:
        """The user's place, read under the chat's lock (a turn in flight finishes first)."""
        async with self._begin(user, None) as begun:
            session = begun.session
        if session is None:
            return Where(self.engine, self.engine.new_session(user, language_code), stored=False)
        return Where(self.engine, session, stored=True)

    async def close(self) -> None:
        await self.store.close()

    @asynccontextmanager
    async def _begin(self, user: str, update_id: int | None) -> AsyncIterator:
        errors = self.store.transient_errors
        try:
            async with self.store.begin(user, update_id) as begun:
                yield begun
        except errors as error:
            raise RetryLater(type(error).__name__) from error

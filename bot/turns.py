"""The one turn runner: every adapter (console, polling, webhook) applies a turn through it.

    begin: lock(chat) ─► seen(update_id)? ─► load ─► Engine.handle ─► deliver ─► save+mark+unlock
                               └─ yes: unlock, acknowledge, apply nothing

Replies are delivered *before* the session and the update id are saved together: a crash in
between re-applies the turn when Telegram retries (the user may see a reply twice), but an
acknowledged turn is never lost and never applied twice.

The result (`Turn`) says what happened — the question open before and after, whether a
pressed button was accepted, the verdict shown, whether the user's data was forgotten — so
adapters never re-derive it from the replies and never build sessions themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.core.engine import Engine
from bot.core.events import Event, Reply
from bot.core.i18n import DEFAULT_LANGUAGE
from bot.core.session import Session
from bot.storage.base import AsyncStore, RetryLater


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


Deliver = Callable[[Turn], Awaitable[None]]


class TurnRunner:
    """Load a session under its chat's lock, run the engine, deliver, save: one turn."""

    def __init__(self, engine: Engine, store: AsyncStore) -> None:
        self.engine = engine
        self.store = store

    async def turn(
        self,
        user: str,
        event: Event,
        language_code: str | None = None,
        update_id: int | None = None,
        deliver: Deliver | None = None,
    ) -> Turn | None:
        """Apply one event; None if `update_id` was applied before (nothing is delivered).

        Raises RetryLater when the store fails; whatever `deliver` raises passes through,
        and in both cases nothing is saved.
        """
        async with self._begin(user, update_id) as begun:
            if begun.seen:
                return None
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
            if deliver is not None:
                await deliver(turn)
            if forgotten:
                await begun.delete()
            else:
                await begun.save(session)
            return turn

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

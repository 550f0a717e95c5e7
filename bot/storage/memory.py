"""Sessions in a dict, serialized as in every store: for tests and throwaway runs."""

from __future__ import annotations

from bot.core.session import Session
from bot.storage.base import Outbox


class MemoryStore:
    """A dict of serialized sessions (and of undelivered outboxes); for tests and throwaway
    runs."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}
        self._outboxes: dict[str, str] = {}
        self._updates: set[int] = set()

    def begin(self, user: str, update_id: int | None) -> tuple[bool, Session | None]:
        seen, session, _ = self.open(user, update_id)
        return seen, None if seen else session

    def open(self, user: str, update_id: int | None) -> tuple[bool, Session | None, Outbox | None]:
        seen = update_id is not None and update_id in self._updates
        return seen, self.load(user), Outbox.loads(self._outboxes.get(user))

    def load(self, user: str) -> Session | None:
        text = self._data.get(user)
        return None if text is None else Session.loads(user, text)

    def save(
        self, session: Session, update_id: int | None = None, outbox: Outbox | None = None
    ) -> None:
        session.version += 1
        self._data[session.user] = session.dumps()
        if outbox is not None:  # without one, the chat's outbox is left as it is
            self._keep(session.user, outbox)
        if update_id is not None:
            self._updates.add(update_id)

    def seen(self, user: str, update_id: int) -> bool:
        return update_id in self._updates

    def delete(self, user: str, update_id: int | None = None, outbox: Outbox | None = None) -> None:
        self._data.pop(user, None)
        self._keep(user, outbox)
        if update_id is not None:
            self._updates.add(update_id)

    def delivered(self, user: str, outbox: Outbox) -> None:
        self._keep(user, outbox)

    def restore(self, user: str, session: Session | None) -> None:
        """Put `session` back as it was (its version too); None: there was none."""
        self._outboxes.pop(user, None)
        if session is None:
            self._data.pop(user, None)
        else:
            self._data[user] = session.dumps()

    def _keep(self, user: str, outbox: Outbox | None) -> None:
        if outbox is None or outbox.done:
            self._outboxes.pop(user, None)
        else:
            self._outboxes[user] = outbox.dumps()

    def serialized(self) -> dict[str, str]:
        """Everything stored, as the text it is kept as, by user (an undelivered outbox under
        "outbox:" + user): all a dump would show."""
        return {**self._data, **{f"outbox:{u}": text for u, text in self._outboxes.items()}}

    def close(self) -> None:
        self._data.clear()
        self._outboxes.clear()
        self._updates.clear()

    def __len__(self) -> int:
        return len(self._data)

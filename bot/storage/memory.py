"""Sessions in a dict, serialized as in every store: for tests and throwaway runs."""

from __future__ import annotations

from bot.core.session import Session


class MemoryStore:
    """A dict of serialized sessions; for tests and throwaway runs."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}
        self._updates: set[int] = set()

    def begin(self, user: str, update_id: int | None) -> tuple[bool, Session | None]:
        if update_id is not None and update_id in self._updates:
            return True, None
        return False, self.load(user)

    def load(self, user: str) -> Session | None:
        text = self._data.get(user)
        return None if text is None else Session.loads(user, text)

    def save(self, session: Session, update_id: int | None = None) -> None:
        session.version += 1
        self._data[session.user] = session.dumps()
        if update_id is not None:
            self._updates.add(update_id)

    def seen(self, user: str, update_id: int) -> bool:
        return update_id in self._updates

    def delete(self, user: str, update_id: int | None = None) -> None:
        self._data.pop(user, None)
        if update_id is not None:
            self._updates.add(update_id)

    def serialized(self) -> dict[str, str]:
        """Every stored session as the text it is kept as, by user: all a dump would show."""
        return dict(self._data)

    def close(self) -> None:
        self._data.clear()
        self._updates.clear()

    def __len__(self) -> int:
        return len(self._data)

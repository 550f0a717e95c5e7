"""A per-chat flood guard: a token bucket per chat, kept in this process only.

One chat sending far more than a person can type must not take every worker's attention
from the others. Past the burst, the first refused update gets a polite reply and the rest
are acknowledged without being applied until the bucket refills.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class RateDecision(StrEnum):
    """What to do with a chat's update (named apart from a flow's verdicts)."""

    ALLOW = "allow"
    WARN = "warn"  # refused; the first since the last allowed update: say why
    DROP = "drop"  # refused again: stay quiet


class ChatRateLimit:
    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 20,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = 100_000,
    ) -> None:
        self.rate, self.burst, self.clock, self.max_chats = rate, burst, clock, max_chats
        self._buckets: dict[str, tuple[float, float, bool]] = {}  # tokens, when, warned

    def check(self, chat: str) -> RateDecision:
        now = self.clock()
        tokens, then, warned = self._buckets.get(chat, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self._store(chat, (tokens - 1.0, now, False))
            return RateDecision.ALLOW
        self._store(chat, (tokens, now, True))
        return RateDecision.DROP if warned else RateDecision.WARN

    def _store(self, chat: str, bucket: tuple[float, float, bool]) -> None:
        if chat not in self._buckets and len(self._buckets) >= self.max_chats:
            self._forget_idle()
        self._buckets[chat] = bucket

    def _forget_idle(self) -> None:
        """Drop chats whose bucket has refilled: they are the same as never seen."""
        now = self.clock()
        self._buckets = {
            chat: (tokens, then, warned)
            for chat, (tokens, then, warned) in self._buckets.items()
            if tokens + (now - then) * self.rate < self.burst
        }

"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.tools.fake_bot_api import FakeBotApi

# Replies are paced as Telegram asks (about one a second per chat, 30 a second overall),
# which would make every end-to-end test wait on the clock. The fake Bot API enforces no
# limits unless a test asks it to, so tests pace far faster by default (the bot's processes
# they start inherit this); tests/test_limits.py sets Telegram's own rates, scaled.
for _name, _value in (
    ("ZANSAI_RATE_PER_CHAT", "10000"),
    ("ZANSAI_BURST_PER_CHAT", "1000"),
    ("ZANSAI_RATE_OVERALL", "100000"),
    ("ZANSAI_BURST_OVERALL", "10000"),
):
    os.environ.setdefault(_name, _value)


@pytest.fixture
def fake_bot_api() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API server on a free port of 127.0.0.1, for this test only."""
    with FakeBotApi() as api:
        yield api

"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.tools.fake_bot_api import FakeBotApi


@pytest.fixture
def fake_bot_api() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API server on a free port of 127.0.0.1, for this test only."""
    with FakeBotApi() as api:
        yield api

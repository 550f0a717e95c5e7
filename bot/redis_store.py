"""Sessions in Redis, shared by several webhook workers (redis-py's asyncio client).

Keys (all under `zansai:`):
    s:{user}    hash {d: session JSON, v: version}, expires after the session TTL
    u:{id}      an applied Telegram update_id, expires after 24 h
    l:{chat}    a short per-chat lock, so one chat's updates are applied one at a time

A save is a compare-and-set on the version, done in one Lua script together with marking
the update id, so two workers can never both apply a turn to the same session.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis

from bot.aio import RetryLater
from bot.chatlocks import ChatLocks
from bot.session import Session
from bot.stores import DEFAULT_TTL, UPDATE_TTL

PREFIX = "zansai:"
LOCK_TTL_MS = 10_000  # a worker that dies holding a lock frees it after this
LOCK_WAIT_S = 10.0  # give up (the webhook answers 503, Telegram retries) after this

SAVE = """
local current = redis.call('HGET', KEYS[1], 'v')
if current and tonumber(current) ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[5]) end
return 1
"""
DELETE = """
redis.call('DEL', KEYS[1])
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[1]) end
return 1
"""
UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class ConflictError(RetryLater):
    """Another worker saved this session in between; the update must be retried."""


class LockTimeout(RetryLater):
    """A chat stayed locked too long; the update must be retried."""


class RedisStore:
    def __init__(
        self, url: str, ttl: int = DEFAULT_TTL, prefix: str = PREFIX, max_connections: int = 64
    ) -> None:
        # Wait for a free connection (up to the lock wait) rather than fail at redis-py's
        # default limit: a worker may have ZANSAI_WEBHOOK_MAX_IN_FLIGHT (256) updates in
        # flight, and MaxConnectionsError would turn into 503s after replies were sent.
        pool = redis.BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=max_connections, timeout=LOCK_WAIT_S
        )
        self.client = redis.Redis(connection_pool=pool)
        self.ttl = ttl
        self.prefix = prefix
        self._save = self.client.register_script(SAVE)
        self._delete = self.client.register_script(DELETE)
        self._unlock = self.client.register_script(UNLOCK)
        self._local = ChatLocks()

    async def load(self, user: str) -> Session | None:
        data = await self.client.hget(self.prefix + "s:" + user, "d")
        return None if data is None else Session.loads(user, data)

    async def save(self, session: Session, update_id: int | None = None) -> None:
        update_key = "" if update_id is None else f"{self.prefix}u:{update_id}"
        session.version += 1
        saved = await self._save(
            keys=[self.prefix + "s:" + session.user, update_key],
            args=[session.dumps(), session.version - 1, session.version, self.ttl, UPDATE_TTL],
        )
        if not saved:
            session.version -= 1
            raise ConflictError(session.user)

    async def seen(self, update_id: int) -> bool:
        return bool(await self.client.exists(f"{self.prefix}u:{update_id}"))

    async def delete(self, user: str, update_id: int | None = None) -> None:
        update_key = "" if update_id is None else f"{self.prefix}u:{update_id}"
        await self._delete(keys=[self.prefix + "s:" + user, update_key], args=[UPDATE_TTL])

    @asynccontextmanager
    async def lock(self, chat: str) -> AsyncIterator[None]:
        """Within this process first in, first served; across workers, a Redis lock."""
        async with self._local(chat), self._shared(chat):
            yield

    @asynccontextmanager
    async def _shared(self, chat: str) -> AsyncIterator[None]:
        key, token = self.prefix + "l:" + chat, secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT_S
        delay = 0.001
        while not await self.client.set(key, token, nx=True, px=LOCK_TTL_MS):
            if loop.time() > deadline:
                raise LockTimeout(chat)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.02)
        try:
            yield
        finally:
            await self._unlock(keys=[key], args=[token])

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()

"""Sessions in Redis, shared by several webhook workers (redis-py's asyncio client).

Keys (all under `zansai:`):
    s:{user}    hash {d: session JSON, v: version}, expires after the session TTL
    u:{id}      an applied Telegram update_id, expires after 24 h
    l:{chat}    a short per-chat lock, so one chat's updates are applied one at a time

A turn is two round trips, each one Lua script: BEGIN takes the lock (with a random token),
checks the update id and loads the session; SAVE (or DELETE, for /forget) is a
compare-and-set on the version, marks the update id and releases the lock. So two workers
can never both apply a turn to the same session, even when a slow turn outlived its lock.
A turn that ends without saving (a duplicate, or the replies could not be delivered)
releases the lock with UNLOCK.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import redis.asyncio as redis
from redis import exceptions as redis_errors

from bot.core.session import Session
from bot.storage.base import DEFAULT_TTL, TRANSIENT_ERRORS, UPDATE_TTL, RetryLater
from bot.storage.locks import ChatLocks

PREFIX = "zansai:"
LOCK_TTL_MS = 10_000  # a worker that dies holding a lock frees it after this
LOCK_WAIT_S = 10.0  # give up (the webhook answers 503, Telegram retries) after this

# A turn's first round trip: KEYS lock, update ('' for none), session; ARGV token, lock TTL.
# 0: the chat is locked (wait, then try again); 1: the update was applied before (the lock is
# released again); else {session JSON or nil}, and the chat is locked with the token.
BEGIN = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 1
end
return {redis.call('HGET', KEYS[3], 'd')}
"""
# KEYS session, update ('' for none), lock ('' for none: a save outside a turn);
# ARGV JSON, expected version, new version, session TTL, update TTL, lock token.
# Refused (0) if the version moved, if the update was applied meanwhile, or, in a turn, if
# the session the turn loaded was deleted meanwhile (a turn that found none expects 0).
# A turn's lock is released either way.
SAVE = """
local current = redis.call('HGET', KEYS[1], 'v')
local ok = KEYS[2] == '' or redis.call('EXISTS', KEYS[2]) == 0
if current then
  ok = ok and tonumber(current) == tonumber(ARGV[2])
elseif KEYS[3] ~= '' then
  ok = ok and tonumber(ARGV[2]) == 0
end
if ok then
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[5]) end
end
if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[6] then redis.call('DEL', KEYS[3]) end
if ok then return 1 end
return 0
"""
# KEYS session, update ('' for none), lock ('' for none); ARGV update TTL, lock token.
DELETE = """
redis.call('DEL', KEYS[1])
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[1]) end
if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
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
    """Sessions shared by several workers; see the module's docstring for the keys."""

    # What may work again shortly: the server restarting, loading, or failing over.
    transient_errors = (
        *TRANSIENT_ERRORS,
        redis_errors.ConnectionError,
        redis_errors.TimeoutError,
        redis_errors.BusyLoadingError,
        redis_errors.ReadOnlyError,
    )

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
        self._begin = self.client.register_script(BEGIN)
        self._save = self.client.register_script(SAVE)
        self._delete = self.client.register_script(DELETE)
        self._unlock = self.client.register_script(UNLOCK)
        self._local = ChatLocks()

    async def load(self, user: str) -> Session | None:
        data = await self.client.hget(self._session_key(user), "d")
        return None if data is None else Session.loads(user, data)

    async def save(self, session: Session, update_id: int | None = None) -> None:
        """Compare-and-set on the version, marking `update_id` applied in the same script."""
        await self._save_unlock(session, self._update_key(update_id), "", "")

    async def seen(self, user: str, update_id: int) -> bool:
        """Update ids are unique per bot: here they are kept bot-wide, whatever the chat."""
        return bool(await self.client.exists(self._update_key(update_id)))

    async def delete(self, user: str, update_id: int | None = None) -> None:
        await self._delete(
            keys=[self._session_key(user), self._update_key(update_id), ""], args=[UPDATE_TTL, ""]
        )

    @asynccontextmanager
    async def begin(self, user: str, update_id: int | None) -> AsyncIterator[RedisBegun]:
        """Within this process first in, first served; across workers, a Redis lock taken
        together with the seen check and the load, in one script."""
        async with self._local(user):
            begun = await self._lock_seen_load(user, update_id)
            try:
                yield begun
            finally:
                if begun.locked:  # not ended by save or delete: a duplicate, or deliver raised
                    await self._unlock(keys=[begun.lock_key], args=[begun.token])

    async def _lock_seen_load(self, user: str, update_id: int | None) -> RedisBegun:
        begun = RedisBegun(self, user, self._update_key(update_id), self.prefix + "l:" + user)
        keys = [begun.lock_key, begun.update_key, self._session_key(user)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT_S
        delay = 0.001
        while (found := await self._begin(keys=keys, args=[begun.token, LOCK_TTL_MS])) == 0:
            if loop.time() > deadline:
                raise LockTimeout(user)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.02)
        if found == 1:
            begun.seen = True  # the script has released the lock already
        else:
            begun.locked = True
            if found[0] is not None:
                begun.session = Session.loads(user, found[0])
        return begun

    async def _save_unlock(
        self, session: Session, update_key: str, lock_key: str, token: str
    ) -> None:
        session.version += 1
        try:
            saved = await self._save(
                keys=[self._session_key(session.user), update_key, lock_key],
                args=[
                    session.dumps(),
                    session.version - 1,
                    session.version,
                    self.ttl,
                    UPDATE_TTL,
                    token,
                ],
            )
        except BaseException:
            session.version -= 1
            raise
        if not saved:
            session.version -= 1
            raise ConflictError(session.user)

    def _session_key(self, user: str) -> str:
        return self.prefix + "s:" + user

    def _update_key(self, update_id: int | None) -> str:
        return "" if update_id is None else f"{self.prefix}u:{update_id}"

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


@dataclass(slots=True)
class RedisBegun:
    """A turn holding its chat's Redis lock (`locked`) until `save` or `delete` ends it."""

    store: RedisStore
    user: str
    update_key: str
    lock_key: str
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    seen: bool = False
    session: Session | None = None
    locked: bool = False

    async def save(self, session: Session) -> None:
        """Save, mark the update applied and unlock, in one script; ConflictError if another
        worker changed the session meanwhile (this turn's lock had expired)."""
        try:
            await self.store._save_unlock(session, self.update_key, self.lock_key, self.token)
        except ConflictError:
            self.locked = False  # the script released the lock all the same
            raise
        else:
            self.locked = False

    async def delete(self) -> None:
        """/forget: delete the session, mark the update applied and unlock, in one script."""
        await self.store._delete(
            keys=[self.store._session_key(self.user), self.update_key, self.lock_key],
            args=[UPDATE_TTL, self.token],
        )
        self.locked = False

"""Sessions in Redis, shared by several webhook workers (redis-py's asyncio client).

Keys (all under `zansai:`):
    s:{user}    hash {d: session JSON, v: version, o: outbox JSON, n: replies delivered,
                t: when the chat's next reply is due (pacing, ms)}, expires after the
                session TTL; after /forget only o, n and t stay, until the outbox is sent
    u:{id}      an applied Telegram update_id, expires after 24 h
    l:{chat}    a short per-chat lock, so one chat's updates are applied one at a time
    rate        when the next reply to any chat is due (pacing, ms), expires when idle

A turn without replies to deliver is two round trips, each one Lua script: BEGIN takes the
lock (with a random token), checks the update id and loads the session and its outbox; SAVE
(or DELETE, for /forget) is a compare-and-set on the version, marks the update id and
releases the lock. So two workers can never both apply a turn to the same session, even when
a slow turn outlived its lock. A turn that ends without saving (a duplicate, or its store
failed) releases the lock with UNLOCK.

A turn with an outbox keeps the lock while its replies go out: SAVE stores the outbox with
the session and extends the lock; before each send HOLD checks the lock is still the turn's
(and extends it) and after it DELIVERED records the count (the last one drops the outbox and
releases the lock). A worker whose lock expired stops there, so two workers never deliver
the same outbox at once. PACE reserves a send slot under the chat's and the bot's rates in
one script, on Redis's clock, so every worker shares them.
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
from bot.storage.base import DEFAULT_TTL, TRANSIENT_ERRORS, UPDATE_TTL, Outbox, Rate, RetryLater
from bot.storage.locks import ChatLocks

PREFIX = "zansai:"
LOCK_TTL_MS = 10_000  # a worker that dies holding a lock frees it after this
LOCK_WAIT_S = 10.0  # give up (the webhook answers 503, Telegram retries) after this

# A turn's first round trip: KEYS lock, update ('' for none), session; ARGV token, lock TTL.
# 0: the chat is locked (wait, then try again); 1: the update was applied before and nothing
# is left to deliver (the lock is released again); else {seen, session JSON or nil, outbox
# JSON or nil, delivered or nil}, and the chat is locked with the token.
BEGIN = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local found = redis.call('HMGET', KEYS[3], 'd', 'o', 'n')
local seen = 0
if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then
  if not found[2] then
    redis.call('DEL', KEYS[1])
    return 1
  end
  seen = 1
end
return {seen, found[1], found[2], found[3]}
"""
# KEYS session, update ('' for none), lock ('' for none: a save outside a turn);
# ARGV JSON, expected version, new version, session TTL, update TTL, lock token,
# outbox JSON ('' for none: the chat's outbox is left as it is), lock TTL.
# Refused (0) if the version moved, if the update was applied meanwhile, or, in a turn, if
# the session the turn loaded was deleted meanwhile (a turn that found none expects 0); an
# outbox is saved only while the turn still holds its lock, which then stays locked for the
# delivery. Otherwise a turn's lock is released either way.
SAVE = """
local current = redis.call('HGET', KEYS[1], 'v')
local ok = KEYS[2] == '' or redis.call('EXISTS', KEYS[2]) == 0
if current then
  ok = ok and tonumber(current) == tonumber(ARGV[2])
elseif KEYS[3] ~= '' then
  ok = ok and tonumber(ARGV[2]) == 0
end
local mine = KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[6]
local keep = ok and ARGV[7] ~= ''
if keep and not mine then ok, keep = false, false end
if ok then
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', ARGV[3])
  if keep then redis.call('HSET', KEYS[1], 'o', ARGV[7], 'n', 0) end
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[5]) end
end
if keep then redis.call('PEXPIRE', KEYS[3], ARGV[8])
elseif mine then redis.call('DEL', KEYS[3]) end
if ok then return 1 end
return 0
"""
# KEYS session, update ('' for none), lock ('' for none); ARGV update TTL, lock token,
# outbox JSON ('' for none), session TTL, lock TTL. With an outbox (and the lock still the
# turn's) the session's key keeps only that outbox and the chat's pacing, and stays locked.
DELETE = """
local due = redis.call('HGET', KEYS[1], 't')
redis.call('DEL', KEYS[1])
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[1]) end
local mine = KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[2]
if mine and ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'o', ARGV[3], 'n', 0)
  if due then redis.call('HSET', KEYS[1], 't', due) end
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
elseif mine then
  redis.call('DEL', KEYS[3])
end
return 1
"""
UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS lock; ARGV token, lock TTL. 1 if the lock is still the token's (now extended), else 0.
HOLD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS session, lock; ARGV token, delivered, messages, lock TTL, release ('1': end the turn).
# 0 if the lock is no longer the token's (nothing recorded). All delivered: the outbox goes,
# and so does the key when no session is left in it (a forgotten chat).
DELIVERED = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) >= tonumber(ARGV[3]) then
  redis.call('HDEL', KEYS[1], 'o', 'n')
  if redis.call('HEXISTS', KEYS[1], 'd') == 0 then redis.call('DEL', KEYS[1]) end
else
  redis.call('HSET', KEYS[1], 'n', ARGV[2])
end
if ARGV[5] == '1' then redis.call('DEL', KEYS[2]) else redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1
"""
# KEYS session, lock; ARGV token, session JSON ('' for none), its version. The session as it
# was before the turn, without the turn's outbox; the lock is released. 0: lock lost.
RESTORE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', ARGV[3])
  redis.call('HDEL', KEYS[1], 'o', 'n')
end
redis.call('DEL', KEYS[2])
return 1
"""
# KEYS session ('' for none), rate; ARGV chat interval, chat tolerance, overall interval,
# overall tolerance (ms). GCRA on both buckets at once, on Redis's clock: the send is due at
# the later of the two, and both move on from there. The chat's due time lives in its
# session's key (only when that exists); the delay in ms is returned as text.
PACE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local chat = KEYS[1] ~= '' and redis.call('EXISTS', KEYS[1]) == 1
local chat_due = 0
if chat then chat_due = tonumber(redis.call('HGET', KEYS[1], 't') or '0') end
local all_due = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = math.max(now, chat_due - tonumber(ARGV[2]), all_due - tonumber(ARGV[4]))
if chat then
  redis.call('HSET', KEYS[1], 't', string.format('%.3f', math.max(chat_due, at) + ARGV[1]))
end
all_due = math.max(all_due, at) + tonumber(ARGV[3])
redis.call('SET', KEYS[2], string.format('%.3f', all_due), 'PX', math.ceil(all_due - now) + 1000)
return string.format('%.3f', at - now)
"""


class ConflictError(RetryLater):
    """Another worker saved this session in between; the update must be retried."""


class LockTimeout(RetryLater):
    """A chat stayed locked too long; the update must be retried."""


class LockLost(RetryLater):
    """This turn's lock expired while its replies went out; the worker that holds it now
    delivers the rest, so this one stops."""


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
        self._hold = self.client.register_script(HOLD)
        self._delivered = self.client.register_script(DELIVERED)
        self._restore = self.client.register_script(RESTORE)
        self._pace = self.client.register_script(PACE)
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
            keys=[self._session_key(user), self._update_key(update_id), ""],
            args=[UPDATE_TTL, "", "", self.ttl, LOCK_TTL_MS],
        )

    async def pace(self, user: str, chat: Rate, overall: Rate) -> float:
        delay = await self._pace(
            keys=[self._session_key(user), self.prefix + "rate"],
            args=[
                chat.interval * 1000,
                chat.tolerance * 1000,
                overall.interval * 1000,
                overall.tolerance * 1000,
            ],
        )
        return float(delay) / 1000

    @asynccontextmanager
    async def begin(self, user: str, update_id: int | None) -> AsyncIterator[RedisBegun]:
        """Within this process first in, first served; across workers, a Redis lock taken
        together with the seen check and the load, in one script."""
        async with self._local(user):
            begun = await self._lock_seen_load(user, update_id)
            try:
                yield begun
            finally:
                if begun.locked:  # not ended by the turn: a duplicate, or a failure
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
            return begun
        begun.locked = True
        begun.held_at = loop.time()
        seen, data, outbox, delivered = found
        begun.seen = bool(seen)
        if data is not None and not begun.seen:
            begun.session = Session.loads(user, data)
        begun.outbox = Outbox.loads(outbox, None if delivered is None else int(delivered))
        return begun

    async def _save_unlock(
        self,
        session: Session,
        update_key: str,
        lock_key: str,
        token: str,
        outbox: Outbox | None = None,
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
                    "" if outbox is None or outbox.done else outbox.dumps(),
                    LOCK_TTL_MS,
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
    """A turn holding its chat's Redis lock (`locked`) until the turn ends it."""

    store: RedisStore
    user: str
    update_key: str
    lock_key: str
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    seen: bool = False
    session: Session | None = None
    outbox: Outbox | None = None
    locked: bool = False
    held_at: float = 0.0  # the loop time the lock was last set or extended

    async def save(self, session: Session, outbox: Outbox | None = None) -> None:
        """Save, mark the update applied and unlock (with an outbox: extend the lock), in one
        script; ConflictError if another worker changed the session meanwhile (this turn's
        lock had expired)."""
        keep = outbox is not None and not outbox.done
        try:
            await self.store._save_unlock(
                session, self.update_key, self.lock_key, self.token, outbox
            )
        except ConflictError:
            self.locked = False  # the script released the lock all the same
            raise
        self.locked = keep
        self.held_at = asyncio.get_running_loop().time()

    async def delete(self, outbox: Outbox | None = None) -> None:
        """/forget: delete the session, mark the update applied and unlock (with an outbox:
        keep it, and the lock, until it is delivered), in one script."""
        keep = outbox is not None and not outbox.done
        await self.store._delete(
            keys=[self.store._session_key(self.user), self.update_key, self.lock_key],
            args=[
                UPDATE_TTL,
                self.token,
                outbox.dumps() if keep and outbox is not None else "",
                self.store.ttl,
                LOCK_TTL_MS,
            ],
        )
        self.locked = keep
        self.held_at = asyncio.get_running_loop().time()

    async def hold(self) -> None:
        """Before a send: LockLost unless the lock is still this turn's for a while yet."""
        now = asyncio.get_running_loop().time()
        if self.locked and now - self.held_at < LOCK_TTL_MS / 3000:
            return
        if not self.locked or not await self.store._hold(
            keys=[self.lock_key], args=[self.token, LOCK_TTL_MS]
        ):
            self.locked = False
            raise LockLost(self.user)
        self.held_at = now

    async def delivered(self, outbox: Outbox, release: bool = False) -> None:
        recorded = await self.store._delivered(
            keys=[self.store._session_key(self.user), self.lock_key],
            args=[self.token, outbox.delivered, len(outbox.messages), LOCK_TTL_MS,
                  "1" if release and outbox.done else "0"],
        )  # fmt: skip
        if not recorded:
            self.locked = False
            raise LockLost(self.user)
        if release and outbox.done:
            self.locked = False
        else:
            self.held_at = asyncio.get_running_loop().time()

    async def restore(self, session: Session | None) -> None:
        await self.store._restore(
            keys=[self.store._session_key(self.user), self.lock_key],
            args=[self.token, "" if session is None else session.dumps(),
                  0 if session is None else session.version],
        )  # fmt: skip
        self.locked = False

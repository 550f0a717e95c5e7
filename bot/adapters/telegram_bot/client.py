"""A small HTTP/1.1 keep-alive client for the Bot API: asyncio protocols + httptools.

Why: PTB's default `HTTPXRequest` spends 0.75–3.3 ms of CPU per Bot API call under load
(httpcore's pool scans every connection per request); this client costs tens of µs, which
took the webhook from 183 to 843 updates/s (docs/performance.md, "Next steps").

What it does: a bounded pool of kept-alive connections per (scheme, host, port), at most
`connection_pool_size` open at once; http and https (certificates verified); bodies framed by
Content-Length, chunked or EOF; connect / write / read / pool timeouts like HTTPXRequest.
Connections use Happy Eyeballs (an address that does not answer costs 0.25 s before the
next is tried, IPv6 and IPv4 interleaved). What it does not: proxies (`make_bot` hands a
proxied setup to PTB's `HTTPXRequest`), HTTP/2, compression, HEAD, uploads (requests with
files go to an internal `HTTPXRequest`, created on first use).

It never logs: URLs hold the bot token, and errors name only exception types and hosts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
from collections import deque
from typing import Any
from urllib.parse import quote, urlsplit

import httptools
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

__all__ = ["KeepAliveRequest"]

# PTB passes "no value given" as an instance of its DefaultValue class, which it does not
# export; its public BaseRequest.DEFAULT_NONE is one, so its type is that class.
_DefaultValue = type(BaseRequest.DEFAULT_NONE)
Timeout = float | None | object  # a number of seconds, None (no limit) or PTB's default

# Happy Eyeballs (RFC 8305): when a name has several addresses (IPv6 and IPv4), start the
# next one if the first has not connected within this many seconds, families interleaved;
# an IPv6 route that swallows packets then costs 0.25 s, not the connect timeout.
HAPPY_EYEBALLS_DELAY = 0.25

_Key = tuple[str, str, int]  # (scheme, host, port): connections are pooled per origin

POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* "
    "sent to Telegram. Consider adjusting the connection pool size or the pool timeout."
)  # HTTPXRequest's words, so callers that look at them see the same thing
_JSON = b"Content-Type: application/json\r\nContent-Length: "
_MAX_TARGETS = 1024  # parsed URLs kept (Bot API method URLs; file URLs would grow it)
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # RFC 3986 pchar plus "/" and "%": quote() leaves them


def _interleave(infos: list[tuple]) -> list[tuple]:
    """Addresses in the resolver's order, families alternating (RFC 8305: interleave=1)."""
    families: dict[int, list[tuple]] = {}
    for info in infos:
        families.setdefault(info[0], []).append(info)
    ordered = []
    queues = list(families.values())
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


async def _open_socket(
    loop: asyncio.AbstractEventLoop, host: str, port: int, delay: float
) -> socket.socket:
    """A connected TCP socket by Happy Eyeballs: one attempt per address, the next one
    started when the last has not connected within `delay` seconds or has failed; the first
    to connect wins and the rest are cancelled. (What asyncio's `happy_eyeballs_delay` does,
    written here because uvloop, which uvicorn runs the webhook on, does not have it.)"""
    infos = _interleave(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    if not infos:
        raise OSError(f"no address for {host}")
    attempts: list[asyncio.Task[socket.socket]] = []
    errors: list[BaseException] = []
    winner: socket.socket | None = None
    try:
        for index, (family, kind, proto, _, address) in enumerate(infos):
            attempts.append(asyncio.ensure_future(_attempt(loop, family, kind, proto, address)))
            last = index == len(infos) - 1
            while running := [task for task in attempts if not task.done()]:
                done, _ = await asyncio.wait(
                    running, timeout=None if last else delay, return_when=asyncio.FIRST_COMPLETED
                )
                for task in done:
                    error = task.exception()
                    if error is None:
                        winner = task.result()
                        return winner
                    errors.append(error)
                if not done:
                    break  # `delay` passed: start the next address alongside
        raise errors[-1] if len(errors) == 1 else OSError(
            f"could not connect to {host}: " + "; ".join(str(e) for e in errors)
        )
    finally:
        for task in attempts:
            if not task.done():
                task.cancel()
            elif not task.cancelled() and task.exception() is None and task.result() is not winner:
                task.result().close()  # a second one connected at the same moment


async def _attempt(
    loop: asyncio.AbstractEventLoop, family: int, kind: int, proto: int, address: tuple
) -> socket.socket:
    sock = socket.socket(family, kind, proto)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await loop.sock_connect(sock, address)
    except BaseException:
        sock.close()
        raise
    return sock


class _ClosedBeforeResponse(NetworkError):
    """The server closed the connection before sending one byte of the response.

    Only this case may be retried, and only on a reused connection: the server most likely
    closed it while it was idle, so the request was never processed.
    """


class _Target:
    """What one URL needs, worked out once: its origin and the request head per method."""

    __slots__ = ("heads", "host", "host_header", "key", "port", "target", "tls")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise NetworkError(f"KeepAliveRequest: unsupported URL scheme {scheme!r}")
        self.tls = scheme == "https"
        self.host = parts.hostname
        default_port = 443 if self.tls else 80
        self.port = parts.port or default_port
        self.key: _Key = (scheme, self.host, self.port)
        host = f"[{self.host}]" if ":" in self.host else self.host.encode("idna").decode()
        self.host_header = host if self.port == default_port else f"{host}:{self.port}"
        path = quote(parts.path or "/", safe=_PATH_SAFE)
        query = quote(parts.query, safe=_PATH_SAFE + "?")
        self.target = f"{path}?{query}" if query else path
        self.heads: dict[str, bytes] = {}

    def head(self, method: str) -> bytes:
        """Request line and fixed headers; the body headers are appended per request."""
        head = self.heads.get(method)
        if head is None:
            head = (
                f"{method} {self.target} HTTP/1.1\r\n"
                f"Host: {self.host_header}\r\n"
                f"User-Agent: {BaseRequest.USER_AGENT}\r\n"
                "Accept: */*\r\n"
                "Accept-Encoding: identity\r\n"  # no compressed bodies: we would not decode them
            ).encode("ascii")
            self.heads[method] = head
        return head


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection carrying one request at a time.

    A protocol rather than streams: the response is parsed in `data_received` and handed to
    the waiting request through one future, without a reader task or buffer copies.
    """

    def __init__(self, pool: _Pool, key: _Key, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.key = key
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle = False  # sitting in the pool; its slot is the pool's to free
        self.idle_since = 0.0
        self.reusable = False  # the last response was complete and kept alive
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._drain: asyncio.Future[None] | None = None
        self._paused = False
        self._body: list[bytes] = []
        self._status = 0
        self._got_bytes = False
        self._headers_done = False
        self._framed = False  # Content-Length or Transfer-Encoding: else the body ends at EOF
        self._keep_alive = False
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout = 0.0
        self._last_read = 0.0

    # -- one exchange ----------------------------------------------------------------------

    async def exchange(
        self, data: bytes, write_timeout: float | None, read_timeout: float | None
    ) -> tuple[int, bytes]:
        """Send one request and return (status, body); raise TimedOut or NetworkError."""
        if self.closed or self.transport is None or self.transport.is_closing():
            raise _ClosedBeforeResponse("KeepAliveRequest: connection closed by the server")
        self.reusable = False
        self._body = []
        self._status = 0
        self._got_bytes = self._headers_done = self._framed = self._keep_alive = False
        waiter = self._waiter = self.loop.create_future()
        try:
            self.transport.write(data)
            if self._paused:
                try:
                    await self._wait_drain(write_timeout)
                except BaseException:
                    if waiter.done() and not waiter.cancelled():
                        waiter.exception()  # retrieved: no "never retrieved" warning
                    else:
                        waiter.cancel()
                    raise
            if read_timeout is not None and not waiter.done():
                self._read_timeout = read_timeout
                self._last_read = self.loop.time()
                self._timer = self.loop.call_at(self._last_read + read_timeout, self._on_timer)
            return await waiter
        finally:
            self._waiter = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    async def _wait_drain(self, timeout: float | None) -> None:
        """The kernel buffer is full: wait until the transport takes more, up to `timeout`."""
        drain = self._drain = self.loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                await drain
        except TimeoutError:
            self.abort()
            raise TimedOut("Timed out (write)") from None
        finally:
            self._drain = None

    def _on_timer(self) -> None:
        """Read timeout, counted from the last byte received (as httpx counts it)."""
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        deadline = self._last_read + self._read_timeout
        if deadline > self.loop.time():
            self._timer = self.loop.call_at(deadline, self._on_timer)
            return
        waiter.set_exception(TimedOut("Timed out (read)"))
        self.abort()

    def abort(self) -> None:
        """Close at once; the connection is never reused."""
        self.closed = True
        self.reusable = False
        if self.transport is not None:
            with contextlib.suppress(RuntimeError):  # its event loop is already closed
                self.transport.abort()

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():  # bytes nobody asked for: the stream is unusable
            self.abort()
            return
        self._got_bytes = True
        self._last_read = self.loop.time()
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            if not waiter.done():
                waiter.set_exception(
                    NetworkError(f"KeepAliveRequest: bad response ({type(exc).__name__})")
                )
            self.abort()

    def eof_received(self) -> bool:
        self._peer_closed(None)
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._peer_closed(exc)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    def _peer_closed(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self.idle:
            self.pool.lost_idle(self)
        error: NetworkError | None = None
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if self._headers_done and not self._framed:  # a body delimited by EOF: complete
                waiter.set_result((self._status, b"".join(self._body)))
            else:
                reason = type(exc).__name__ if exc is not None else "EOF"
                if self._got_bytes:
                    error = NetworkError(
                        f"KeepAliveRequest: connection closed mid-response ({reason})"
                    )
                else:
                    error = _ClosedBeforeResponse(
                        f"KeepAliveRequest: connection closed before the response ({reason})"
                    )
                waiter.set_exception(error)
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_exception(
                error or _ClosedBeforeResponse("KeepAliveRequest: connection closed")
            )

    # -- httptools callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():  # a second response to one request: unusable
            self.abort()

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._framed and name.lower() in (b"content-length", b"transfer-encoding"):
            self._framed = True

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._status = self.parser.get_status_code()
        self._keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        waiter = self._waiter
        if 100 <= self._status < 200:  # an interim response (e.g. 103): the real one follows
            self._headers_done = self._framed = False
            self._body = []
            return
        if waiter is None or waiter.done():
            return
        self.reusable = self._keep_alive and not self.closed
        waiter.set_result((self._status, b"".join(self._body)))


def _handed_over(waiter: asyncio.Future[Any]) -> bool:
    """Whether the pool gave this waiter a connection or a slot (not an error)."""
    return waiter.done() and not waiter.cancelled() and waiter.exception() is None


class _Pool:
    """Open connections, counted against a limit, and the idle ones per origin.

    A slot is one open (or opening) connection. `acquire` gives an idle connection (most
    recently used first) or a free slot; `release` hands a finished connection straight to a
    request waiting for the same origin, else keeps it idle; `drop` frees a slot (its
    connection closed) for the first waiter or for good. No call scans the connections.
    """

    def __init__(self, size: int, keepalive_expiry: float | None) -> None:
        self.size = size
        self.keepalive_expiry = keepalive_expiry
        self.open = 0
        self.connections: set[_Connection] = set()
        self.idle: dict[_Key, deque[_Connection]] = {}
        self.waiters: dict[_Key, deque[asyncio.Future[_Connection | None]]] = {}

    async def acquire(
        self, key: _Key, timeout: float | None, loop: asyncio.AbstractEventLoop
    ) -> _Connection | None:
        """An idle connection for `key`, or None: the caller holds a slot to connect in."""
        idle = self.idle.get(key)
        if idle:
            if self.keepalive_expiry is not None:
                oldest_allowed = loop.time() - self.keepalive_expiry
                while idle and idle[0].idle_since < oldest_allowed:
                    stale = idle.popleft()  # the oldest sit at this end: sweep them
                    stale.idle = False
                    self.discard(stale)
                    self.drop()  # nobody waits while connections are idle: a plain decrement
            if idle:
                conn = idle.pop()  # the most recently used: the least likely to be closed
                conn.idle = False
                return conn
        if self.open < self.size:
            self.open += 1
            return None
        for other in self.idle.values():  # at the limit: close an idle one of another origin
            if other:
                victim = other.popleft()
                victim.idle = False
                self.discard(victim)
                return None
        waiter: asyncio.Future[_Connection | None] = loop.create_future()
        self.waiters.setdefault(key, deque()).append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        except TimeoutError:
            if _handed_over(waiter):
                return waiter.result()  # handed over just as the timeout fired
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from None
        except BaseException:
            if _handed_over(waiter):  # handed over, but we are cancelled: give it back
                conn = waiter.result()
                if conn is None:
                    self.drop()
                else:
                    self.release(conn)
            raise

    def release(self, conn: _Connection) -> None:
        """A connection after a complete, kept-alive response."""
        queue = self.waiters.get(conn.key)
        while queue:
            waiter = queue.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        waiter = self._next_waiter()
        if waiter is not None:  # someone waits for another origin: give them this slot
            self.discard(conn)
            waiter.set_result(None)
            return
        conn.idle = True
        conn.idle_since = conn.loop.time()
        self.idle.setdefault(conn.key, deque()).append(conn)

    def drop(self) -> None:
        """A slot is free: its connection closed or never opened."""
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.set_result(None)
        else:
            self.open -= 1

    def _next_waiter(self) -> asyncio.Future[_Connection | None] | None:
        for queue in self.waiters.values():
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    return waiter
        return None

    def discard(self, conn: _Connection) -> None:
        """Close `conn` and forget it (its slot is the caller's business)."""
        conn.abort()
        self.connections.discard(conn)

    def lost_idle(self, conn: _Connection) -> None:
        """The server closed an idle connection: forget it and free its slot."""
        conn.idle = False
        self.connections.discard(conn)
        idle = self.idle.get(conn.key)
        if idle is not None:
            try:
                idle.remove(conn)
            except ValueError:
                return
        self.drop()

    def close(self) -> None:
        """Close every connection and fail every waiter."""
        for conn in list(self.connections):
            conn.idle = False
            conn.abort()
        self.connections.clear()
        self.idle.clear()
        for queue in self.waiters.values():
            for waiter in queue:
                if not waiter.done():
                    waiter.set_exception(NetworkError("KeepAliveRequest was shut down"))
        self.waiters.clear()
        self.open = 0


class KeepAliveRequest(BaseRequest):
    """A `BaseRequest` for PTB's `Bot` that keeps HTTP/1.1 connections alive in a cheap pool.

    Args mirror HTTPXRequest's: `connection_pool_size` caps the connections open at once
    (over all origins); `pool_timeout` is how long a request waits for one (then TimedOut,
    nothing sent). `ssl_context` replaces the default (the CAs of `SSL_CERT_FILE` or
    `SSL_CERT_DIR`, else certifi's, else the system's, as httpx chooses; verification on).
    `keepalive_expiry`: an idle connection older than this is closed instead of reused (as
    httpx does, so a connection silently dropped by a NAT is not trusted); None keeps them
    until the server closes them.
    """

    __slots__ = (
        "_connect_timeout",
        "_fallback",
        "_keepalive_expiry",
        "_loop",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_shut_down",
        "_ssl_context",
        "_targets",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_expiry: float | None = 5.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._pool_timeout = pool_timeout
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._pool = _Pool(connection_pool_size, keepalive_expiry)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._targets: dict[str, _Target] = {}
        self._fallback: HTTPXRequest | None = None
        self._shut_down = False

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds it to getUpdates' long-poll timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Ready to send (again, after `shutdown`); calling it twice is harmless."""
        self._shut_down = False
        if self._fallback is not None:
            await self._fallback.initialize()

    async def shutdown(self) -> None:
        """Close every connection, idle or busy; in-flight requests fail with NetworkError."""
        self._shut_down = True
        pool, self._pool = self._pool, _Pool(self._pool_size, self._keepalive_expiry)
        pool.close()
        if self._fallback is not None:
            await self._fallback.shutdown()
        await asyncio.sleep(0)  # let the aborted transports close their sockets

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One request: (status code, body). TimedOut / NetworkError as HTTPXRequest raises."""
        if self._shut_down:
            raise RuntimeError("This KeepAliveRequest is not initialized!")
        if request_data is not None and request_data.contains_files:
            return await self._files_request().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        if method == "HEAD":  # a response without a body we could not tell from a hung one
            raise NetworkError("KeepAliveRequest does not support HEAD")
        if isinstance(read_timeout, _DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(write_timeout, _DefaultValue):
            write_timeout = self._write_timeout
        if isinstance(connect_timeout, _DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, _DefaultValue):
            pool_timeout = self._pool_timeout

        target = self._targets.get(url)
        if target is None:
            if len(self._targets) >= _MAX_TARGETS:
                self._targets.clear()
            target = self._targets[url] = _Target(url)
        # The parameters HTTPXRequest sends as a form, as one JSON object instead: the Bot
        # API reads a string value exactly as the form's text. Percent-encoding Japanese and
        # Chinese text byte by byte was a fifth of the webhook's CPU; json.dumps is C.
        if request_data is not None and request_data.parameters:
            body = request_data.json_payload
            data = b"%s%s%d\r\n\r\n%s" % (target.head(method), _JSON, len(body), body)
        elif method in ("POST", "PUT", "PATCH"):
            data = target.head(method) + b"Content-Length: 0\r\n\r\n"
        else:
            data = target.head(method) + b"\r\n"

        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # connections belong to one loop: a new loop starts afresh
            if self._loop is not None:
                self._pool.close()
                self._pool = _Pool(self._pool_size, self._keepalive_expiry)
            self._loop = loop
        pool = self._pool

        conn = await pool.acquire(target.key, pool_timeout, loop)
        try:
            if conn is None:
                conn = await self._connect(pool, target, connect_timeout, loop)
                status, payload = await conn.exchange(data, write_timeout, read_timeout)
            else:
                try:
                    status, payload = await conn.exchange(data, write_timeout, read_timeout)
                except _ClosedBeforeResponse:  # closed while idle: retry once, on a new one
                    pool.discard(conn)
                    conn = None
                    conn = await self._connect(pool, target, connect_timeout, loop)
                    status, payload = await conn.exchange(data, write_timeout, read_timeout)
        except BaseException:
            if conn is not None:
                pool.discard(conn)
            pool.drop()
            raise
        if conn.reusable:
            pool.release(conn)
        else:
            pool.discard(conn)
            pool.drop()
        return status, payload

    async def _connect(
        self,
        pool: _Pool,
        target: _Target,
        timeout: float | None,
        loop: asyncio.AbstractEventLoop,
    ) -> _Connection:
        """A new connection in a slot the caller holds; TimedOut or NetworkError if not."""
        conn = _Connection(pool, target.key, loop)
        ssl_context = self._tls_context() if target.tls else None
        try:
            async with asyncio.timeout(timeout):
                sock = await _open_socket(loop, target.host, target.port, HAPPY_EYEBALLS_DELAY)
                try:
                    await loop.create_connection(
                        lambda: conn,
                        sock=sock,
                        ssl=ssl_context,
                        server_hostname=target.host if ssl_context is not None else None,
                    )
                except BaseException:
                    sock.close()
                    raise
        except TimeoutError:  # before OSError: TimeoutError is one
            raise TimedOut("Timed out (connect)") from None
        except OSError as exc:  # refused, unreachable, DNS, TLS (certificate) errors
            raise NetworkError(f"KeepAliveRequest: {type(exc).__name__}: {exc}") from exc
        pool.connections.add(conn)
        return conn

    def _tls_context(self) -> ssl.SSLContext:
        """The caller's context, else one made once, verified, with the CAs httpx would use:
        `SSL_CERT_FILE` or `SSL_CERT_DIR` when set (a company's own CA, a TLS-inspecting
        proxy), else certifi's, else the system's."""
        if self._ssl_context is None:
            if cafile := os.environ.get("SSL_CERT_FILE"):
                context = ssl.create_default_context(cafile=cafile)
            elif capath := os.environ.get("SSL_CERT_DIR"):
                context = ssl.create_default_context(capath=capath)
            else:
                try:
                    import certifi

                    context = ssl.create_default_context(cafile=certifi.where())
                except ImportError:
                    context = ssl.create_default_context()
            context.set_alpn_protocols(["http/1.1"])
            self._ssl_context = context
        return self._ssl_context

    def _files_request(self) -> HTTPXRequest:
        """Uploads (multipart) go through PTB's own HTTPXRequest, made on first use."""
        if self._fallback is None:
            kwargs: dict[str, Any] = {}
            if self._ssl_context is not None:
                kwargs["httpx_kwargs"] = {"verify": self._ssl_context}
            self._fallback = HTTPXRequest(
                connection_pool_size=self._pool_size,
                read_timeout=self._read_timeout,
                write_timeout=self._write_timeout,
                connect_timeout=self._connect_timeout,
                pool_timeout=self._pool_timeout,
                **kwargs,
            )
        return self._fallback

"""A lean Valkey connection for the read caches' versions (`version.py`): one MGET on every API
request, one script call per write.

Why not redis-py here: its path per command (connection pool, retry wrapper, encoder, reply
coroutine) cost 10-13 % of a worker's CPU in the mixed run (bench/run.sh) for that one MGET, and a
bump waited for a task to be scheduled before its command was even sent. Here commands go out
pipelined on one connection per process, packed in C (hiredis), the moment they are asked for;
replies are parsed as they arrive (an asyncio Protocol: no reader task, no extra turn of the event
loop), in order. Everything else (rate limits, pub/sub, queues) keeps redis-py; this connection
takes its address and credentials from that client, so there is one configuration (REDIS_URL).

Failures: a command that gets no reply within `timeout` closes the connection, failing everything
in flight on it (the callers then read without the caches, as when Valkey is down); the next
command connects again. A `quiet` command (a version bump, whose caller must never fail for it)
logs its failure and answers None instead.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import deque
from collections.abc import Awaitable
from typing import Any, cast

import hiredis

log = logging.getLogger("agent_hub.cache")

CONNECT_TIMEOUT = 2.0
TIMEOUT = 2.0  # seconds a command may wait for its reply before the connection is given up


class ValkeyError(Exception):
    """An error reply, or the connection failed."""


class _Replies(asyncio.Protocol):
    """Matches replies to commands in order. `waiting`: (future, sent at, quiet) per command in
    flight, `quiet` being the message to log instead of failing (None: fail)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.reader = hiredis.Reader(replyError=ValkeyError)
        self.waiting: deque[tuple[asyncio.Future[Any], float, str | None]] = deque()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            future, _, quiet = self.waiting.popleft()
            if isinstance(reply, ValkeyError):
                _fail(future, reply, quiet)
            elif not future.done():  # else its caller went away
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        while self.waiting:
            future, _, quiet = self.waiting.popleft()
            _fail(future, ValkeyError(f"connection to Valkey lost: {exc or 'closed'}"), quiet)


def _fail(future: asyncio.Future[Any], error: ValkeyError, quiet: str | None) -> None:
    if quiet is not None:
        log.error("%s: %s", quiet, error)
    if future.done():
        return
    if quiet is not None:
        future.set_result(None)
    else:
        future.set_exception(error)


class Valkey:
    """One pipelined connection, opened on first use (again after it was lost), on the running
    event loop. `settings`: redis-py's connection settings (`for_client`)."""

    def __init__(self, settings: dict[str, Any], *, tls: bool = False, timeout: float = TIMEOUT) -> None:
        self.settings = settings
        self.tls = tls
        self.timeout = timeout
        self._conn: _Replies | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening: asyncio.Future[_Replies] | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    @classmethod
    def for_client(cls, client: Any) -> Valkey | ThroughClient:
        """The same server, database and credentials as the redis-py client `client`. A TLS
        connection with options of its own (`ssl_*` in REDIS_URL: a private CA, client
        certificates, no verification) goes through `client` itself instead: slower, and every
        option honoured."""
        pool = client.connection_pool
        settings = dict(pool.connection_kwargs)
        if any(key.startswith("ssl_") for key in settings):
            return ThroughClient(client)
        return cls(settings, tls=pool.connection_class.__name__ == "SSLConnection")

    def call(self, *args: Any, quiet: str | None = None) -> Awaitable[Any]:
        """Send one command; its reply (ValkeyError for an error reply or a lost connection; with
        `quiet`, None after logging that message). Connected, it is on its way when this returns
        (the result is then a future); else it goes once connected."""
        conn = self._ready()
        if conn is not None:
            return self._send(conn, args, quiet)
        return self._connect_and_send(args, quiet)

    async def _connect_and_send(self, args: tuple[Any, ...], quiet: str | None) -> Any:
        try:
            conn = await self._open()
        except ValkeyError as exc:
            if quiet is None:
                raise
            log.error("%s: %s", quiet, exc)
            return None
        return await self._send(conn, args, quiet)

    def _ready(self) -> _Replies | None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a connection of a loop that ended (tests) is not ours to use
            self._conn, self._opening, self._watchdog, self._loop = None, None, None, loop
        conn = self._conn
        return conn if conn is not None and not conn.lost else None

    def _send(self, conn: _Replies, args: tuple[Any, ...], quiet: str | None = None) -> asyncio.Future[Any]:
        assert conn.transport is not None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        conn.transport.write(hiredis.pack_command(args))
        conn.waiting.append((future, time.monotonic(), quiet))
        if self._watchdog is None:
            self._watchdog = loop.call_later(self.timeout, self._check)
        return future

    def _check(self) -> None:
        """Give the connection up when its oldest command has waited longer than the timeout."""
        self._watchdog = None
        conn = self._conn
        if conn is None or conn.lost or not conn.waiting:
            return
        waited = time.monotonic() - conn.waiting[0][1]
        if waited >= self.timeout:
            assert conn.transport is not None
            conn.transport.abort()  # connection_lost fails every command in flight
            return
        self._watchdog = asyncio.get_running_loop().call_later(self.timeout - waited, self._check)

    async def _open(self) -> _Replies:
        if self._opening is None or self._opening.done():
            self._opening = asyncio.ensure_future(self._connect())
        return await asyncio.shield(self._opening)

    async def _connect(self) -> _Replies:
        loop = asyncio.get_running_loop()
        s = self.settings
        try:
            if s.get("path"):
                connecting = loop.create_unix_connection(_Replies, s["path"])
            else:
                context = ssl.create_default_context() if self.tls else None
                host, port = s.get("host", "127.0.0.1"), s.get("port", 6379)
                connecting = loop.create_connection(_Replies, host, port, ssl=context)
            _, conn = await asyncio.wait_for(connecting, s.get("socket_connect_timeout") or CONNECT_TIMEOUT)
        except (TimeoutError, OSError) as exc:
            raise ValkeyError(f"cannot connect to Valkey: {exc}") from exc
        # Current at once: commands sent meanwhile go out after the handshake's, in order (and
        # fail with it), and the watchdog covers the handshake too.
        self._conn = conn
        handshake = []
        if s.get("password"):
            auth = ("AUTH", s["username"], s["password"]) if s.get("username") else ("AUTH", s["password"])
            handshake.append(self._send(conn, auth))
        if s.get("db"):
            handshake.append(self._send(conn, ("SELECT", s["db"])))
        failed = [r for r in await asyncio.gather(*handshake, return_exceptions=True) if isinstance(r, BaseException)]
        if failed:
            assert conn.transport is not None
            conn.transport.close()
            if self._conn is conn:
                self._conn = None
            raise failed[0]
        return conn

    def close(self) -> None:
        if self._conn is not None and self._conn.transport is not None:
            self._conn.transport.close()
        self._conn = None


class ThroughClient:
    """`Valkey.call` over a redis-py client (its pool, its TLS options)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, *args: Any, quiet: str | None = None) -> Awaitable[Any]:
        return self._call(args, quiet)

    async def _call(self, args: tuple[Any, ...], quiet: str | None) -> Any:
        try:
            return await self.client.execute_command(*args)
        except Exception as exc:
            if quiet is None:
                raise ValkeyError(str(exc)) from exc
            log.error("%s: %s", quiet, exc)
            return None

    def close(self) -> None:
        """The client is its owner's to close."""

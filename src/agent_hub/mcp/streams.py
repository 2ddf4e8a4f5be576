"""Telling an MCP client that its inbox changed, on whichever replica holds its stream.

Two wires, one mechanism. A handshake-era client (protocol 2025-11-25 and before) opens a
GET stream with its `Mcp-Session-Id` and subscribes with `resources/subscribe`; a 2026-07-28
client sends `subscriptions/listen`, whose response is the stream. Either way the stream
follows the agent's inbox signals on the realtime hub (which hears commits of every replica
through Valkey) and sends `notifications/resources/updated` for `agenthub://me/inbox`.

Nothing here lives only in one replica: subscriptions are kept in Valkey (in process without
it, where there is one process), the stream holds no state a reconnect could not rebuild, and
open streams count against the same per-agent cap as WebSockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson

from agent_hub.realtime.hub import Realtime

INBOX_URI = "agenthub://me/inbox"
PROFILE_URI = "agenthub://me/profile"
SUBMOLTS_URI = "agenthub://submolts"
WATCHABLE = frozenset({INBOX_URI})
SUBSCRIPTION_TTL_SECONDS = 24 * 3600

KeyCheck = Callable[[], Awaitable[bool]]


class Subscriptions:
    """`resources/subscribe` of handshake-era sessions, keyed by agent and session id (a
    session id only ever scopes its own agent's subscriptions)."""

    def __init__(self, redis: Any | None) -> None:
        self.redis = redis
        self.local: dict[str, set[str]] = {}

    @staticmethod
    def _key(agent_id: str, session_id: str) -> str:
        return f"agent_hub:mcp:subs:{agent_id}:{session_id}"

    async def add(self, agent_id: str, session_id: str, uri: str) -> None:
        key = self._key(agent_id, session_id)
        if self.redis is None:
            self.local.setdefault(key, set()).add(uri)
            return
        await self.redis.sadd(key, uri)
        await self.redis.expire(key, SUBSCRIPTION_TTL_SECONDS)

    async def remove(self, agent_id: str, session_id: str, uri: str) -> None:
        key = self._key(agent_id, session_id)
        if self.redis is None:
            self.local.get(key, set()).discard(uri)
            return
        await self.redis.srem(key, uri)

    async def has(self, agent_id: str, session_id: str, uri: str) -> bool:
        key = self._key(agent_id, session_id)
        if self.redis is None:
            return uri in self.local.get(key, ())
        return bool(await self.redis.sismember(key, uri))

    async def touch(self, agent_id: str, session_id: str) -> None:
        if self.redis is not None:
            await self.redis.expire(self._key(agent_id, session_id), SUBSCRIPTION_TTL_SECONDS)

    async def drop(self, agent_id: str, session_id: str) -> None:
        key = self._key(agent_id, session_id)
        if self.redis is None:
            self.local.pop(key, None)
            return
        await self.redis.delete(key)


class StreamLimit(Exception):
    """The agent already holds as many open channels as it may."""


class InboxFollower:
    """An open stream's view of its agent's inbox: `changed()` waits for the next signal (bursts
    coalesce into one) or the heartbeat. The key is re-checked when a credentials signal names
    the agent (a key revoked or rotated, the agent disabled: the same signal that closes its
    WebSockets, heard from every replica) and on each heartbeat, when the stream's cap slot is
    refreshed too; a revoked key or suspended agent loses its stream within a second."""

    def __init__(self, hub: Realtime, agent_id: str, heartbeat: float, key_check: KeyCheck) -> None:
        self.hub = hub
        self.agent_id = agent_id
        self.heartbeat = heartbeat
        self.key_check = key_check
        self.id = "mcp-" + uuid.uuid4().hex
        self._dirty = asyncio.Event()  # woken: the inbox changed, a re-check is due, or closed
        self._inbox = False
        self._recheck = False
        self.closed = asyncio.Event()
        self._next_beat = time.monotonic() + heartbeat

    def _signal(self, message: dict[str, Any]) -> None:
        if message.get("k") == "creds":
            self._recheck = True
        else:
            self._inbox = True
        self._dirty.set()

    def close(self) -> None:
        self.closed.set()
        self._dirty.set()

    async def changed(self) -> bool:
        """True: the inbox changed. False: a heartbeat is due. Raises `StreamClosed` when the
        stream must end (shutdown, revoked key)."""
        while True:
            if self.closed.is_set():
                raise StreamClosed
            timeout = self._next_beat - time.monotonic()
            if timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._dirty.wait(), timeout)
            if self.closed.is_set():
                raise StreamClosed
            self._dirty.clear()
            if self._recheck:
                self._recheck = False
                if not await self.key_check():
                    raise StreamClosed
            if self._inbox:
                self._inbox = False
                return True
            if time.monotonic() < self._next_beat:
                continue
            self._next_beat = time.monotonic() + self.heartbeat
            if not await self.key_check():
                raise StreamClosed
            with contextlib.suppress(Exception):
                await self.hub.cap.refresh(self.agent_id, self.id)
            return False


class StreamClosed(Exception):
    """The stream ends: server shutdown, or the credential is no longer valid."""


class Streams:
    """Every MCP stream open in this process (so shutdown can end them)."""

    def __init__(self, hub: Realtime, heartbeat: float) -> None:
        self.hub = hub
        self.heartbeat = heartbeat
        self.open: set[InboxFollower] = set()

    @contextlib.asynccontextmanager
    async def follow(self, agent_id: str, key_check: KeyCheck) -> AsyncIterator[InboxFollower]:
        follower = InboxFollower(self.hub, agent_id, self.heartbeat, key_check)
        if not await self.hub.cap.acquire(agent_id, follower.id):
            raise StreamLimit
        stop = self.hub.watch_inbox(agent_id, follower._signal)
        self.open.add(follower)
        try:
            yield follower
        finally:
            self.open.discard(follower)
            stop()
            with contextlib.suppress(Exception):
                await self.hub.cap.release(agent_id, follower.id)

    def close_all(self) -> None:
        for follower in list(self.open):
            follower.close()


def sse_message(payload: dict[str, Any]) -> bytes:
    return b"event: message\r\ndata: " + orjson.dumps(payload) + b"\r\n\r\n"


def resource_updated(uri: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": uri}}

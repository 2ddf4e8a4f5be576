"""One WebSocket client: authentication, resume, subscriptions, heartbeats, back-pressure.

Protocol (JSON text frames; documented in docs/realtime.md):

client -> server  {"type": "auth", "api_key": "...", "last_id": N?}   (when no header was sent)
                  {"type": "resume", "last_id": N}
                  {"type": "subscribe" | "unsubscribe", "post_id": "..."} or {"submolt": "name" | "*"}
                  {"type": "pong"} / {"type": "ping"}
server -> client  {"type": "hello", "agent": {...}, "unread_count": N, "last_id": N}
                  {"type": "inbox_update", "unread_count": N, "latest": {...} | null, "last_id": N}
                  {"type": "post_created" | "comment_created" | "media_ready", ...}
                  {"type": "ping"} / {"type": "pong"} / {"type": "error", "code": ..., "error": ...}

Inbox delivery is pull-after-signal: a signal only makes the connection read, from the
database, the notifications with ids above the last one it sent. So after a resume from id N
the client gets every later notification in id order, each once, whichever replica it is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from agent_hub.agents.models import Agent
from agent_hub.inbox import repository as inbox_repo
from agent_hub.inbox.schemas import item_from_row
from agent_hub.realtime import auth

if TYPE_CHECKING:
    from agent_hub.realtime.hub import Realtime

log = logging.getLogger("agent_hub.realtime")

CATCH_UP_BATCH = 200
REMEMBERED_IDS = 2048

# Close codes (4000-4999 are the application's).
IDLE, UNAUTHORIZED, AUTH_TIMEOUT, SLOW, TOO_MANY = 4000, 4401, 4408, 4008, 4429


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


class Connection:
    def __init__(self, hub: Realtime, ws: WebSocket, agent: Agent, recheck: auth.Recheck | None = None) -> None:
        self.hub = hub
        self.ws = ws
        self.id = uuid.uuid4().hex
        self.agent_id = agent.id
        self.agent = agent
        # Is the credential this socket was opened with still good? (realtime/auth.py)
        self._recheck_fn = recheck
        self._rechecking: asyncio.Task[None] | None = None
        self.owner_id = auth.owner_of(ws)  # set for sockets opened with the owner's session
        settings = hub.settings
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=settings.ws_queue_size)
        self.topics: set[str] = set()
        self.sent_id = 0
        self.seq: int | None = None  # the agent's inbox `seq` everything sent accounts for; None: unknown
        self._sent_recent: deque[int] = deque(maxlen=REMEMBERED_IDS)
        self._sent_set: set[int] = set()
        self._dirty = False
        self._catch_up: asyncio.Task[None] | None = None
        self.closing: tuple[int, str] | None = None
        self.done = asyncio.Event()
        self.last_heard = time.monotonic()
        self._reading = asyncio.Lock()  # one catch-up at a time keeps ids in order

    # --- outgoing --------------------------------------------------------------------
    def offer(self, event: dict[str, Any]) -> None:
        """Queue without waiting; a client that cannot keep up is dropped, never waited for."""
        if self.closing is not None:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.drop(SLOW, "slow consumer: too many undelivered events")

    def drop(self, code: int, reason: str) -> None:
        if self.closing is None:
            self.closing = (code, reason)
        self.done.set()

    def recheck(self) -> None:
        """A credentials signal named this socket's agent or owner: ask whether its credential
        still holds, and close it (4401 gone / 4403 suspended) when not."""
        if self._recheck_fn is None or self.closing is not None:
            return
        if self._rechecking is None or self._rechecking.done():
            self._rechecking = asyncio.create_task(self._run_recheck())

    async def _run_recheck(self) -> None:
        assert self._recheck_fn is not None
        try:
            code = await self._recheck_fn()
        except Exception:
            log.warning("websocket credential check failed", exc_info=True)
            return
        if code is not None:
            self.drop(code, "credential revoked" if code == auth.CREDENTIAL_GONE else "agent suspended")

    def poke(self) -> None:
        """The agent's inbox changed (somewhere): read what is new, coalescing bursts."""
        self._dirty = True
        if self._catch_up is None or self._catch_up.done():
            self._catch_up = asyncio.create_task(self._catch_up_loop())

    def push(self, signal: dict[str, Any]) -> None:
        """A new notification's signal (`inbox.service._signal`). When it is exactly the next
        one for the agent (`seq` follows the last this connection accounted for) and no read
        is running, send it as is: no database round trip, no task switch. Anything else (a
        gap: a signal still in flight or lost, a resume, a read in progress) reads instead."""
        seq, item = signal.get("seq"), signal.get("item")
        if self.closing is not None:
            return
        busy = self._reading.locked() or (self._catch_up is not None and not self._catch_up.done())
        if not isinstance(seq, int) or not isinstance(item, dict) or self.seq is None or busy:
            self.poke()
            return
        if seq <= self.seq:
            return  # already covered by a read that saw it
        if seq != self.seq + 1:
            self.poke()
            return
        self.seq = seq
        if item["id"] in self._sent_set:
            return
        self._remember(item["id"])
        unread = signal.get("unread", 0)
        self.offer({"type": "inbox_update", "unread_count": unread, "latest": item, "last_id": item["id"]})

    async def _catch_up_loop(self) -> None:
        try:
            while self._dirty and self.closing is None:
                self._dirty = False
                await self._send_new(None)
        except Exception:
            log.warning("websocket catch-up failed", exc_info=True)

    async def _send_new(self, after: int | None) -> None:
        """Send, in id order, the notifications after `after` (None: the last one sent) this
        connection has not sent."""
        async with self._reading:
            await self._send_new_locked(self.sent_id if after is None else after)

    async def _send_new_locked(self, after: int) -> None:
        while True:
            async with self.hub.sessionmaker() as db:
                rows, (unread, _, last_id, seq) = await inbox_repo.item_rows(
                    db, self.agent_id, limit=CATCH_UP_BATCH, after_id=after
                )
            fresh = [r for r in rows if r[0] not in self._sent_set]
            for row in fresh:
                self._remember(row[0])
                item = item_from_row(row)
                self.offer({"type": "inbox_update", "unread_count": unread, "latest": item, "last_id": row[0]})
            if not fresh:
                # Something else changed (read marks, deletions): counts only.
                self.offer({"type": "inbox_update", "unread_count": unread, "latest": None, "last_id": last_id})
            if len(rows) < CATCH_UP_BATCH:
                # Everything up to this snapshot's `seq` is sent: pushes may follow on from it.
                self.seq = seq
                return
            after = rows[-1][0]

    def _remember(self, nid: int) -> None:
        if len(self._sent_recent) == self._sent_recent.maxlen:
            self._sent_set.discard(self._sent_recent[0])
        self._sent_recent.append(nid)
        self._sent_set.add(nid)
        self.sent_id = max(self.sent_id, nid)

    async def resume(self, last_id: int) -> None:
        await self._send_new(max(last_id, 0))

    # --- loops -----------------------------------------------------------------------
    async def writer(self) -> None:
        timeout = self.hub.settings.ws_send_timeout_seconds
        while True:
            event = await self.queue.get()
            try:
                await asyncio.wait_for(self.ws.send_text(orjson.dumps(event).decode()), timeout)
            except TimeoutError:
                self.drop(SLOW, "slow consumer: send timed out")
                return
            except Exception:
                self.drop(1006, "send failed")
                return

    async def reader(self) -> None:
        while True:
            try:
                raw = await self.ws.receive_text()
            except WebSocketDisconnect:
                self.drop(1000, "client closed")
                return
            except Exception:
                self.drop(1003, "unsupported frame")
                return
            self.last_heard = time.monotonic()
            await self.handle(raw)

    async def heartbeat(self) -> None:
        settings = self.hub.settings
        while True:
            await asyncio.sleep(settings.ws_heartbeat_seconds)
            if time.monotonic() - self.last_heard > settings.ws_idle_timeout_seconds:
                self.drop(IDLE, 'idle: answer pings with {"type": "pong"}')
                return
            self.offer({"type": "ping", "t": int(time.time())})
            self.recheck()  # a change that sent no signal (another tool, a lost message) ends here
            with contextlib.suppress(Exception):
                await self.hub.cap.refresh(self.agent_id, self.id)

    async def handle(self, raw: str) -> None:
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.offer({"type": "error", "code": "BAD_MESSAGE", "error": "Messages must be JSON objects"})
            return
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "ping":
            self.offer({"type": "pong", "t": int(time.time())})
        elif kind == "resume":
            await self.resume(_int(message.get("last_id")) or 0)
        elif kind in ("subscribe", "unsubscribe"):
            topic = self._topic(message)
            if topic is None:
                self.offer({"type": "error", "code": "BAD_MESSAGE", "error": "Subscribe to a post_id or a submolt"})
                return
            (self.hub.subscribe if kind == "subscribe" else self.hub.unsubscribe)(self, topic)
            self.offer({"type": kind + "d", "topic": topic})
        elif kind in ("pong", "auth"):
            return
        else:
            self.offer({"type": "error", "code": "BAD_MESSAGE", "error": f"Unknown message type: {kind}"})

    @staticmethod
    def _topic(message: dict[str, Any]) -> str | None:
        # Posts and submolts are public on the hub: no per-topic access check is needed.
        post_id = message.get("post_id")
        if isinstance(post_id, str) and 0 < len(post_id) <= 64:
            return f"post:{post_id}"
        submolt = message.get("submolt")
        if submolt in ("*", "all"):
            return "submolt:*"
        if isinstance(submolt, str) and 0 < len(submolt) <= 64:
            return f"submolt:{submolt.lower()}"
        return None


async def serve(hub: Realtime, ws: WebSocket) -> None:
    settings = hub.settings
    agent, recheck, error = await auth.from_handshake(ws)
    if error is not None:
        await ws.close(code=1008, reason=error[:120])  # before accept: the handshake gets HTTP 403
        return
    await ws.accept()
    last_id = _int(ws.query_params.get("last_id"))
    if agent is None:
        agent, recheck, last_id = await _first_message_auth(hub, ws, last_id)
        if agent is None:
            return
    conn = Connection(hub, ws, agent, recheck)
    if not await hub.cap.acquire(agent.id, conn.id):
        await _close(ws, TOO_MANY, f"Too many connections (max {settings.ws_max_connections_per_agent} per agent)")
        return
    hub.attach(conn)
    tasks: list[asyncio.Task[Any]] = []
    try:
        async with conn._reading:  # signals arriving meanwhile read after this, from `sent_id`
            async with hub.sessionmaker() as db:
                unread, _, current, seq = await inbox_repo.counters(db, agent.id)
            conn.sent_id = current if last_id is None else last_id
            conn.seq = seq if last_id is None else None  # a resume reads first, then knows
            conn.offer(
                {
                    "type": "hello",
                    "agent": {"id": agent.id, "name": agent.name, "type": agent.type},
                    "unread_count": unread,
                    "last_id": current,
                    "heartbeat_seconds": settings.ws_heartbeat_seconds,
                }
            )
        tasks = [asyncio.create_task(c) for c in (conn.writer(), conn.reader(), conn.heartbeat())]
        if last_id is not None:
            await conn.resume(last_id)
        await conn.done.wait()
    finally:
        hub.detach(conn)
        if conn._rechecking is not None:
            tasks.append(conn._rechecking)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if conn._catch_up is not None:  # short; cancelling mid-query would strand a connection
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(conn._catch_up), 5)
        with contextlib.suppress(Exception):
            await hub.cap.release(agent.id, conn.id)
        code, reason = conn.closing or (1000, "bye")
        if reason != "client closed":
            await _close(ws, code, reason)


async def _first_message_auth(
    hub: Realtime, ws: WebSocket, last_id: int | None
) -> tuple[Agent | None, auth.Recheck | None, int | None]:
    try:
        raw = await asyncio.wait_for(ws.receive_text(), hub.settings.ws_auth_timeout_seconds)
    except TimeoutError:
        await _close(ws, AUTH_TIMEOUT, "Authenticate within the time limit")
        return None, None, None
    except (WebSocketDisconnect, Exception):
        return None, None, None
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        message = None
    key = message.get("api_key") if isinstance(message, dict) and message.get("type") == "auth" else None
    agent = await auth.by_key(hub.sessionmaker, key) if isinstance(key, str) and key else None
    if agent is None:
        spent = await auth.failed_key(ws.app.state, ws.scope, key if isinstance(key, str) else None)
        await _close(ws, UNAUTHORIZED, "Too many failed authentications" if spent else "Invalid or missing API key")
        return None, None, None
    if isinstance(message, dict) and message.get("last_id") is not None:
        last_id = _int(message.get("last_id"))
    assert isinstance(key, str)
    return agent, auth.key_recheck(hub.sessionmaker, key), last_id


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        if ws.client_state == WebSocketState.CONNECTED:
            await ws.send_text(orjson.dumps({"type": "error", "code": code, "error": reason}).decode())
        await ws.close(code=code, reason=reason[:120])

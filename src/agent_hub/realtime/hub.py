"""The per-process realtime hub: local connections, topic subscriptions and the bus.

Two kinds of signal travel on the bus:

- `{"k": "inbox", "agent": id}`: the agent's inbox changed. Connections of that agent fetch
  what they have not sent yet from the database (so a signal that arrives late, twice or out
  of order can never lose or duplicate a notification). A new notification's signal also
  carries the item and the agent's `seq`: a connection that has sent everything up to seq-1
  pushes it without the database read (`Connection.push`); any gap falls back to the read.
- `{"k": "topic", "topic": "post:<id>" | "submolt:<name>" | "agent:<id>", "event": {...}}`:
  a UI event (`post_created`, `comment_created`, `media_ready`) forwarded as is.
- `{"k": "creds", "agent": id}` / `{"k": "creds", "owner": id}`: a key of the agent was revoked
  or rotated, the agent disabled or suspended, or sessions of the owner ended
  (`events.credentials_changed`). Every open channel of that agent (WebSockets, MCP streams) or
  opened with that owner's session asks again whether its credential holds, and closes when not.

Everything here is a signal: published after commit, best effort, never blocking a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from agent_hub import metrics
from agent_hub.config import Settings
from agent_hub.realtime.bus import CHANNEL, LocalBus, RedisBus
from agent_hub.realtime.limits import ConnectionCap

if TYPE_CHECKING:
    from agent_hub.realtime.connection import Connection

log = logging.getLogger("agent_hub.realtime")

Listener = Callable[[list[dict[str, Any]]], Awaitable[None] | None]


def channel_for(settings: Settings) -> str:
    """Pub/sub ignores Redis database numbers: namespace the channel by the hub's database, so
    two hubs (or test runs) sharing one Valkey never hear each other."""
    digest = hashlib.sha256(f"{settings.redis_url}|{settings.effective_database_url}".encode()).hexdigest()[:16]
    return f"{CHANNEL}:{digest}"


class Realtime:
    def __init__(self, settings: Settings, sessionmaker: Any, redis: Any | None) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.redis = redis
        self.bus: LocalBus | RedisBus = (
            RedisBus(redis, self.dispatch, channel_for(settings)) if redis is not None else LocalBus(self.dispatch)
        )
        self.by_agent: dict[str, set[Connection]] = defaultdict(set)
        self.by_topic: dict[str, set[Connection]] = defaultdict(set)
        # Other channels that follow an agent's inbox (MCP streams): called with each signal.
        self.inbox_watchers: dict[str, set[Callable[[dict[str, Any]], None]]] = defaultdict(set)
        # Called with every committed batch on this replica (e.g. to wake the webhook loop).
        self.local_listeners: list[Callable[[list[dict[str, Any]]], None]] = []
        self.cap = ConnectionCap(redis, settings.ws_max_connections_per_agent, settings.ws_heartbeat_seconds)
        self.origin = uuid.uuid4().hex  # marks this replica's signals on the shared channel
        self._outbox: list[dict[str, Any]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bus.start()

    async def stop(self) -> None:
        for conns in list(self.by_agent.values()):
            for conn in list(conns):
                conn.drop(1001, "server shutting down")
        for _ in range(100):  # let each connection's handler finish its cleanup
            if not self.by_agent:
                break
            await asyncio.sleep(0.02)
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._flusher, 2)
        await self.bus.stop()

    def committed(self, messages: list[dict[str, Any]]) -> None:
        """Called right after a commit with the signals its transaction queued. This replica's
        clients are served at once (no round trip through Valkey, no task switch); the other
        replicas get one PUBLISH per loop turn (see `_flush`)."""
        for listener in self.local_listeners:
            try:
                listener(messages)
            except Exception:
                log.exception("realtime local listener failed")
        outgoing = [m for m in messages if m.get("k") in ("inbox", "topic", "creds")]
        for message in outgoing:
            try:
                self.dispatch(message)
            except Exception:
                log.exception("realtime dispatch failed")
        if not outgoing or self.redis is None:
            return
        self._outbox.extend({**m, "o": self.origin} for m in outgoing)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        """One publisher per replica: commits that land while a PUBLISH is in flight go out
        together in the next one, in commit order."""
        while self._outbox:
            batch, self._outbox = self._outbox, []
            try:
                await self.bus.publish(batch)
            except Exception:
                # A lost signal loses nothing: clients catch up from the inbox on the next one.
                log.warning("realtime publish failed", exc_info=True)

    def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("o") == self.origin:
            return  # our own commit, already dispatched in `committed`
        kind = message.get("k")
        if kind == "inbox":
            agent_id = message.get("agent", "")
            for conn in list(self.by_agent.get(agent_id, ())):
                if "item" in message:
                    conn.push(message)
                else:
                    conn.poke()
            for watcher in list(self.inbox_watchers.get(agent_id, ())):
                try:
                    watcher(message)
                except Exception:
                    log.exception("inbox watcher failed")
        elif kind == "creds":
            self._credentials_changed(message.get("agent"), message.get("owner"))
        elif kind == "topic":
            event = message.get("event") or {}
            for conn in list(self.by_topic.get(message.get("topic", ""), ())):
                conn.offer(event)

    def _credentials_changed(self, agent_id: str | None, owner_id: str | None) -> None:
        if agent_id:
            for conn in list(self.by_agent.get(agent_id, ())):
                conn.recheck()
            for watcher in list(self.inbox_watchers.get(agent_id, ())):  # MCP streams re-check too
                try:
                    watcher({"k": "creds", "agent": agent_id})
                except Exception:
                    log.exception("inbox watcher failed")
        if owner_id:
            for conns in list(self.by_agent.values()):
                for conn in list(conns):
                    if conn.owner_id == owner_id:
                        conn.recheck()

    # --- connection bookkeeping ------------------------------------------------------
    def watch_inbox(self, agent_id: str, watcher: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call `watcher` (synchronously, on the loop; it must not block) with every inbox
        signal of `agent_id` heard by this replica, and with `{"k": "creds", ...}` when its
        credentials changed. Returns the call that stops it."""
        self.inbox_watchers[agent_id].add(watcher)

        def stop() -> None:
            watchers = self.inbox_watchers.get(agent_id)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    self.inbox_watchers.pop(agent_id, None)

        return stop

    def attach(self, conn: Connection) -> None:
        self.by_agent[conn.agent_id].add(conn)
        self.subscribe(conn, f"agent:{conn.agent_id}")
        metrics.WEBSOCKET_CONNECTIONS.inc()

    def detach(self, conn: Connection) -> None:
        conns = self.by_agent.get(conn.agent_id)
        if conns is not None and conn in conns:
            conns.discard(conn)
            metrics.WEBSOCKET_CONNECTIONS.dec()
            if not conns:
                self.by_agent.pop(conn.agent_id, None)
        for topic in list(conn.topics):
            self.unsubscribe(conn, topic)

    def subscribe(self, conn: Connection, topic: str) -> None:
        conn.topics.add(topic)
        self.by_topic[topic].add(conn)

    def unsubscribe(self, conn: Connection, topic: str) -> None:
        conn.topics.discard(topic)
        subs = self.by_topic.get(topic)
        if subs is not None:
            subs.discard(conn)
            if not subs:
                self.by_topic.pop(topic, None)

    def local_count(self, agent_id: str) -> int:
        return len(self.by_agent.get(agent_id, ()))

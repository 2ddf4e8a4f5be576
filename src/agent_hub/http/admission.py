"""Admission control: at most N API requests of this process are worked on at once.

Why: an API request is mostly CPU in this process's single event loop, with a few short awaits
on PostgreSQL and Valkey. When every connection's request is in progress at once, each await
hands the loop to all the others, so one request's few milliseconds of work are spread over
everyone's — and whatever its commit triggers (a WebSocket signal, the next writer of a hot
row) waits behind them too. Measured on the 2-core machine (bench/realtime_bench.py, 50
concurrent comment writers): without a limit, commit -> signal p99 310-420 ms at ~235
comments/s; with 4-8 requests admitted per process, p99 45-75 ms at ~330-360 comments/s.
Requests over the limit wait here, before any work, in arrival order; clients see the same
total latency, and the work in progress finishes sooner.

A slot covers the work only, never the network:
- the request body is read before a slot is taken (a client sending slowly must not hold
  one); bodies over PREREAD_BYTES (media uploads) are not admission-controlled at all;
- the slot is released when the response starts, before its body is sent (a slow reader of
  a large thread or a media download does not hold one).
- a handler that waits on the outside world (the webhook test ping) gives its slot back
  meanwhile (`suspended`).
Only `/api/` requests are counted: health probes, the owner's `/auth` routes, the UI proxy
(whose server-side rendering calls back into this API: counting it could deadlock) and
WebSockets pass straight through.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_hub import metrics
from agent_hub.db.batcher import Lane, LaneBatcher, O
from agent_hub.db.uow import commits_alone, release_connection

PREREAD_BYTES = 64 * 1024
EXEMPT_PATHS = frozenset({"/api/v1/health"})
STATE_KEY = "admission_slot"


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None  # created on the serving loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        size = 0
        while size <= PREREAD_BYTES:
            message = await receive()
            received.append(message)
            size += len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if size > PREREAD_BYTES:  # an upload: its cost is the transfer, limited elsewhere
            await self.app(scope, _replay(received, receive), send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        slot = Slot(self._slots)
        scope.setdefault("state", {})[STATE_KEY] = slot
        queued = time.perf_counter()
        await slot.acquire()
        metrics.ADMISSION_WAIT.observe(time.perf_counter() - queued)

        async def send_releasing(message: Message) -> None:
            if message["type"] == "http.response.start":
                slot.release()
            await send(message)

        try:
            await self.app(scope, _replay(received, receive), send_releasing)
        finally:
            slot.release()


class Slot:
    """One request's place among the N; released at most once per acquisition."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots
        self.held = False

    async def acquire(self) -> None:
        await self._slots.acquire()
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()


@asynccontextmanager
async def suspended(request: Request) -> AsyncIterator[None]:
    """Give the request's slot back while it waits on something slow outside this process
    (an outbound HTTP call, the write lane's batch), and take one again before it goes on
    working. Its database connection goes back first (`release_connection`); a request that
    has written keeps its slot instead."""
    slot = request.scope.get("state", {}).get(STATE_KEY)
    if not isinstance(slot, Slot) or not slot.held or not await release_connection(request):
        yield
        return
    slot.release()
    try:
        yield
    finally:
        await slot.acquire()


def lane(request: Request, batcher: LaneBatcher[O]) -> Lane[O] | None:
    """The write lane of `batcher` on PostgreSQL, unless the write must commit with something
    else in the request's transaction (the unit of work knows: `commits_alone`)."""
    if request.app.state.engine.dialect.name != "postgresql" or not commits_alone(request):
        return None
    return Lane(batcher, lambda: suspended(request))


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that first returns the messages already read, then reads on."""
    pending = list(messages)

    async def replaying() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replaying

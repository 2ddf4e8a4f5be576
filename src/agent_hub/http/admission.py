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
- a handler that waits on something outside its own work (a write waiting for its batch on the
  write lane, the webhook test ping) gives its slot back meanwhile (`suspended`), and comes back
  ahead of the requests that have not started: it already waited its turn once. A comment in
  a busy mixed run otherwise queued twice, behind every read that arrived while its batch ran:
  its latency was twice the reads' and it alone made the run's p99.
Only `/api/` requests are counted: health probes, the owner's `/auth` routes, the UI proxy
(whose server-side rendering calls back into this API: counting it could deadlock) and
WebSockets pass straight through.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
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
        self._slots: Slots | None = None  # created on the serving loop

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
            self._slots = Slots(self.limit)
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


class Slots:
    """N places, given in arrival order, except that a request coming back from a wait it gave
    its place up for (`suspended`) goes ahead of every request that has not started yet. A freed
    place goes straight to the next waiter, so nobody can overtake a waiter in the meantime."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._resuming: deque[asyncio.Future[None]] = deque()
        self._arriving: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, resuming: bool = False) -> None:
        ahead = self._resuming if resuming else (self._resuming or self._arriving)
        if self.free > 0 and not ahead:
            self.free -= 1
            return
        queue = self._resuming if resuming else self._arriving
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(place)
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled():
                self.release()  # handed over just as the waiter went away: pass it on
            elif place in queue:
                queue.remove(place)
            raise

    @property
    def waiting(self) -> tuple[int, int]:
        """How many wait for a place: (coming back from a wait outside, not started yet)."""
        return len(self._resuming), len(self._arriving)

    def release(self) -> None:
        for queue in (self._resuming, self._arriving):
            while queue:
                place = queue.popleft()
                if not place.done():
                    place.set_result(None)
                    return
        self.free += 1


class Slot:
    """One request's place among the N; released at most once per acquisition."""

    def __init__(self, slots: Slots) -> None:
        self._slots = slots
        self.held = False

    @property
    def slots(self) -> Slots:
        return self._slots

    async def acquire(self, *, resuming: bool = False) -> None:
        await self._slots.acquire(resuming=resuming)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()


@asynccontextmanager
async def suspended(request: Request) -> AsyncIterator[None]:
    """Give the request's slot back while it waits on something outside its own work (an
    outbound HTTP call, the write lane's batch), and take one again, ahead of the requests that
    have not started, before it goes on. Its database connection goes back first
    (`release_connection`); a request that has written keeps its slot instead."""
    slot = request.scope.get("state", {}).get(STATE_KEY)
    if not isinstance(slot, Slot) or not slot.held or not await release_connection(request):
        yield
        return
    slot.release()
    try:
        yield
    finally:
        await slot.acquire(resuming=True)


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

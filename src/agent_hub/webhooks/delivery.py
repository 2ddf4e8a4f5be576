"""The webhook delivery loop: claims due deliveries, POSTs them signed, retries with
exponential backoff and disables a webhook after too many consecutive failures.

It runs inside every API process (started by `app.state.startup_hooks`); claims are leased
and taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas share the queue safely.
Commits that enqueue a delivery wake the loop at once on their replica; others poll. The loop
never waits for an attempt: each runs in a task of its own (`DeliveryWorker`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from datetime import timedelta
from typing import Any

import orjson

from agent_hub import metrics
from agent_hub.agents.models import Agent
from agent_hub.agents.service import human_owner
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.webhooks import client, signing
from agent_hub.webhooks import repository as repo

log = logging.getLogger("agent_hub.webhooks")
BATCH = 20


def backoff(settings: Settings, attempts: int) -> float:
    return min(
        settings.webhook_backoff_base_seconds * (2 ** max(attempts - 1, 0)), settings.webhook_backoff_max_seconds
    )


def body_for(delivery_id: int, event: str, payload: str) -> bytes:
    """The exact bytes sent (identical on every retry of one delivery)."""
    return orjson.dumps({"delivery_id": delivery_id, "event": event, **orjson.loads(payload)})


def headers_for(secret: str, body: bytes, delivery_id: int | str, event: str, attempt: int) -> dict[str, str]:
    return {
        signing.SIGNATURE_HEADER: signing.sign(secret, body),
        "X-AgentHub-Event": event,
        "X-AgentHub-Delivery": str(delivery_id),
        "X-AgentHub-Attempt": str(attempt),
    }


class DeliveryWorker:
    """Attempts run side by side, each in its own task: at most one per webhook at a time (on
    every replica: a webhook with an attempt under lease is not claimed), at most
    `AGENT_HUB_WEBHOOK_CONCURRENCY` per process, each bounded by the total deadline of
    `client.post`. So a slow or dead receiver holds its own agent's queue and one slot, never
    the others' deliveries."""

    def __init__(self, settings: Settings, sessionmaker: Any) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[str, asyncio.Task[None]] = {}  # agent id -> its attempt
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-delivery")

    async def stop(self) -> None:
        """Let the attempts in flight finish (cancelling mid-query would strand a connection)."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=self.settings.webhook_timeout_seconds + 5)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook loop iteration failed")
                handled = 0
            if handled or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval())
        await self.drain()

    async def drain(self) -> None:
        """Wait for the attempts in flight."""
        while self._inflight:
            await asyncio.gather(*self._inflight.values(), return_exceptions=True)

    def _poll_interval(self) -> float:
        # Retries come due on their own schedule: never sleep much longer than a short backoff.
        return max(0.05, min(self.settings.webhook_poll_seconds, self.settings.webhook_backoff_base_seconds))

    async def run_once(self) -> int:
        """Claim what the free slots can take and start it; returns how many attempts started
        (their results land later, each in its own transaction)."""
        free = self.settings.webhook_concurrency - len(self._inflight)
        if free <= 0:
            return 0
        async with self.sessionmaker() as db, db.begin():
            claimed = await repo.claim(db, limit=min(free, BATCH), lease=self._lease(), busy=frozenset(self._inflight))
            jobs: list[dict[str, Any]] = [
                {
                    "id": d.id,
                    "agent_id": d.agent_id,
                    "event": d.event,
                    "payload": d.payload,
                    "attempts": d.attempts,
                    "url": hook.url if hook is not None and hook.enabled else None,
                    "secret": hook.secret if hook is not None else None,
                    "agent_ok": agent_ok,
                }
                for d, hook, agent_ok in claimed
            ]
        for job in jobs:
            agent_id = str(job["agent_id"])
            task = asyncio.create_task(self._attempt(job), name=f"webhook-{job['id']}")
            self._inflight[agent_id] = task
            task.add_done_callback(functools.partial(self._done, agent_id))
        return len(jobs)

    def _lease(self) -> float:
        # The lease outlives the attempt's deadline, so no replica claims the webhook meanwhile.
        return max(self.settings.webhook_lease_seconds, self.settings.webhook_timeout_seconds + 30)

    def _done(self, agent_id: str, _task: asyncio.Task[None]) -> None:
        self._inflight.pop(agent_id, None)
        self._wake.set()  # a slot and this webhook are free again

    async def _attempt(self, job: dict[str, Any]) -> None:
        try:
            await self._deliver(job)
        except Exception:
            log.exception("webhook attempt failed", extra={"delivery_id": job["id"]})

    async def _deliver(self, job: dict[str, Any]) -> None:
        if not job["agent_ok"]:
            # A disabled or suspended agent gets no deliveries: its queued rows are cancelled
            # (not held), so re-enabling it does not replay what happened meanwhile.
            async with self.sessionmaker() as db, db.begin():
                await repo.cancel_pending(db, job["agent_id"], "agent disabled")
            return
        if job["url"] is None:
            async with self.sessionmaker() as db, db.begin():
                await repo.cancel_pending(db, job["agent_id"], "webhook removed or disabled")
            return
        body = body_for(job["id"], job["event"], job["payload"])
        headers = headers_for(job["secret"], body, job["id"], job["event"], job["attempts"])
        result = await client.post(job["url"], body, headers, self.settings)
        metrics.WEBHOOK_DELIVERY_SECONDS.observe(result.seconds)
        metrics.WEBHOOK_DELIVERIES.labels("success" if result.ok else "failure").inc()
        async with self.sessionmaker() as db, db.begin():
            if result.ok:
                await repo.record_success(db, job["id"], job["agent_id"], result.status)
                return
            await self._failed(db, job, result)

    async def _failed(self, db: Any, job: dict[str, Any], result: client.Result) -> None:
        settings = self.settings
        retry_at = None
        if job["attempts"] < settings.webhook_max_attempts:
            retry_at = utcnow() + timedelta(seconds=backoff(settings, job["attempts"]))
        error = result.error or "delivery failed"
        failures = await repo.record_failure(db, job, error, result.status, retry_at)
        if failures >= settings.webhook_failure_limit:
            reason = f"Disabled after {failures} consecutive failed deliveries (last error: {error})"
            if await repo.disable(db, job["agent_id"], reason):
                metrics.WEBHOOK_DELIVERIES.labels("disabled").inc()
                await repo.cancel_pending(db, job["agent_id"], "webhook disabled")
                await _tell_agent_and_owner(db, job["agent_id"], reason)


async def _tell_agent_and_owner(db: Any, agent_id: str, reason: str) -> None:
    """A disabled webhook shows up in the agent's inbox and in its owner's."""
    from agent_hub.inbox.service import Note, deliver

    agent = await db.get(Agent, agent_id)
    if agent is None:
        return
    notes = [Note(agent.id, "webhook_disabled", agent, preview=reason)]
    owner_id = agent.owner_id
    if owner_id is None and agent.type != "human":
        owner = await human_owner(db)
        owner_id = owner.id if owner is not None else None
    if owner_id and owner_id != agent.id:
        notes.append(Note(owner_id, "webhook_disabled", agent, preview=f"{agent.name}: {reason}"))
    await deliver(db, notes)

"""Wires the realtime hub and the webhook loop into an app (one call from `app.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI

from agent_hub import events, metrics
from agent_hub.realtime.hub import Realtime
from agent_hub.webhooks.delivery import DeliveryWorker


def install(app: FastAPI) -> None:
    settings = app.state.settings
    hub = Realtime(settings, app.state.sessionmaker, app.state.redis)
    worker = DeliveryWorker(settings, app.state.sessionmaker)
    app.state.realtime = hub
    app.state.webhook_worker = worker

    def on_commit(messages: list[dict[str, Any]]) -> None:
        for message in messages:
            if message.get("k") == "inbox" and message.get("type"):
                metrics.NOTIFICATIONS_CREATED.labels(message["type"]).inc()
            elif message.get("k") == "webhook":
                worker.wake()

    hub.local_listeners.append(on_commit)
    unsubscribe: list[Any] = []

    async def start(app: FastAPI) -> None:
        unsubscribe.append(events.subscribe(app.state.engine, on_commit=signals_to(hub)))
        await hub.start()
        if settings.webhook_worker_in_process:
            await worker.start()

    async def stop(app: FastAPI) -> None:
        await worker.stop()
        await hub.stop()
        for undo in unsubscribe:
            undo()

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)


def signals_to(hub: Realtime) -> events.OnCommit:
    """The applier that hands a commit's `Signal` events to `hub` (synchronously: the commit is
    durable now, and every extra task switch between here and the socket costs a full
    event-loop turn when the replica is busy)."""

    def apply(committed: Sequence[events.Event], _tables: frozenset[str]) -> None:
        messages = [e.message for e in committed if isinstance(e, events.Signal)]
        if messages:
            hub.committed(messages)

    return apply

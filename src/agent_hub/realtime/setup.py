"""Wires the realtime hub and the webhook loop into an app (one call from `app.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from agent_hub import metrics
from agent_hub.realtime import signals
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

    async def start(app: FastAPI) -> None:
        signals.register(app.state.engine, hub)
        await hub.start()
        if settings.webhook_worker_in_process:
            await worker.start()

    async def stop(app: FastAPI) -> None:
        await worker.stop()
        await hub.stop()
        signals.unregister(app.state.engine)

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)

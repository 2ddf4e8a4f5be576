"""Wire the media domain into an app: its store, its URLs and (embedded mode) the worker loop."""

from __future__ import annotations

import asyncio
from typing import Any

from agent_hub.storage import make_store

from . import urls
from .worker import MediaWorker, runs_in_process


def install_media(app: Any, settings: Any) -> None:
    store = make_store(settings)
    app.state.media_store = store
    app.state.media_worker = None
    urls.configure(settings, store)
    if not runs_in_process(settings):
        return

    async def start(app: Any) -> None:
        worker = MediaWorker(settings, app.state.sessionmaker, store)
        app.state.media_worker = worker
        worker.start()
        # Load the description models in the background: the first job should not pay for it.
        app.state.media_warm_up = asyncio.create_task(worker.warm_up(), name="media-warm-up")

    async def stop(app: Any) -> None:
        warm = getattr(app.state, "media_warm_up", None)
        if warm is not None and not warm.done():
            warm.cancel()
            await asyncio.gather(warm, return_exceptions=True)
        worker = app.state.media_worker
        if worker is not None:
            await worker.stop()
            app.state.media_worker = None

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)

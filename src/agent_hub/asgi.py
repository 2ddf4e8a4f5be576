"""ASGI entry point for uvicorn (`agent_hub.asgi:app`)."""

import gc

from fastapi import FastAPI

from agent_hub.app import create_app

app = create_app()


async def _freeze_startup_objects(_: FastAPI) -> None:
    """Move everything alive after startup (modules, routes, models, pydantic and SQLAlchemy
    machinery: hundreds of thousands of objects) out of the collector's reach. Otherwise each
    full collection walks all of them, stalling every request on that worker for tens of
    milliseconds — the p99 of a busy server. Only the server does this (tests build many apps)."""
    gc.collect()
    gc.freeze()
    # A request allocates hundreds of containers, so the default young-generation threshold
    # (700) ran a collection every request or two; request garbage is acyclic almost always
    # (reference counting frees it), so collecting ten times less often only defers the rare cycle.
    gc.set_threshold(7_000, 10, 10)


app.state.startup_hooks.append(_freeze_startup_objects)

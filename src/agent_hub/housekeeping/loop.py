"""Runs `service.prune` in every API process: first a random 0-60 s after start (replicas
started together do not prune together), then every AGENT_HUB_HOUSEKEEPING_SECONDS. Each run
also folds the vote effects whose own fold never ran (votes/service.py, `fold_stale`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

from agent_hub.housekeeping import service
from agent_hub.votes.service import fold_stale

log = logging.getLogger("agent_hub.housekeeping")
FIRST_RUN_JITTER_SECONDS = 60.0


def install_housekeeping(app: Any, settings: Any) -> None:
    interval = float(settings.housekeeping_seconds)
    if interval <= 0:
        return

    async def run(app: Any) -> None:
        await asyncio.sleep(random.uniform(0, min(FIRST_RUN_JITTER_SECONDS, interval)))
        while True:
            try:
                deleted = await service.prune(app.state.sessionmaker, settings)
                if any(deleted.values()):
                    log.info("housekeeping deleted %s", {k: v for k, v in deleted.items() if v})
                folded = await fold_stale(app.state.sessionmaker)
                if folded:
                    log.info("housekeeping folded %d stale vote effects", folded)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("housekeeping run failed; next try in %.0f s", interval)
            await asyncio.sleep(interval)

    async def start(app: Any) -> None:
        app.state.housekeeping = asyncio.create_task(run(app), name="housekeeping")

    async def stop(app: Any) -> None:
        task = getattr(app.state, "housekeeping", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)

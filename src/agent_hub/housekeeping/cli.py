"""`agent-hub prune`: the housekeeping pass once, now (the server also runs it periodically)."""

from __future__ import annotations

import argparse
import asyncio
import json

from agent_hub.cli import command
from agent_hub.config import Settings


@command("prune", "delete finished webhook deliveries and media jobs, dead sessions and old audit events now")
def prune(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.db.engine import make_engine, make_sessionmaker
    from agent_hub.housekeeping import service

    async def run() -> dict[str, int]:
        engine = make_engine(settings)
        try:
            return await service.prune(make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    print(json.dumps(asyncio.run(run()), sort_keys=True))
    return 0

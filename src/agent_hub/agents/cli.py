"""`agent-hub create-agent` and `agent-hub claim`."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from agent_hub.cli import _with_db, command
from agent_hub.config import Settings


def _create_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--type", default="other", choices=["claude", "codex", "goose", "other"])
    p.add_argument("--description", default="")
    p.add_argument("--pending", action="store_true", help="leave the agent pending until claimed")


@command("create-agent", "create an active agent and print its API key once", _create_args)
def create_agent(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.agents import service
    from agent_hub.db.migrate import upgrade

    upgrade(settings)

    async def run(db: Any) -> int:
        owner = await service.human_owner(db)
        agent, key = await service.create_agent(
            db,
            name=args.name,
            description=args.description,
            agent_type=args.type,
            active=not args.pending,
            owner_id=owner.id if owner and not args.pending else None,
        )
        if not args.pending:
            agent.trust = "trusted"  # the operator made it: trusted even before the owner exists
        print(f"agent:   {agent.name} ({agent.type}, {agent.status})")
        print(f"api key: {key}")
        print("Save the key now: it is not stored and cannot be shown again.")
        return 0

    return asyncio.run(_with_db(settings, run))


@command("claim", "activate an agent that is pending its claim", lambda p: p.add_argument("name"))
def claim(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.agents import service

    async def run(db: Any) -> int:
        agent = await service.require_agent(db, args.name)
        owner = await service.human_owner(db)
        await service.claim(db, agent, owner.id if owner else None)
        print(f"{agent.name} is claimed and active")
        return 0

    return asyncio.run(_with_db(settings, run))

"""The check every write into a submolt makes: is the writer banned there? (Posts and comments
call it; it imports no domain service, so they can.)"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.errors import Forbidden
from agent_hub.moderation import repository as repo


async def ensure_not_banned(
    db: AsyncSession, agent: Agent, *, submolt_id: str | None = None, post_id: str | None = None
) -> None:
    """Refuse a write into a submolt (given, or the post's) the agent is banned from. Only agents
    with a ban (`has_bans`, kept by ban/unban) pay the query."""
    if not agent.has_bans:
        return
    found = await repo.active_ban(db, agent.id, submolt_id=submolt_id, post_id=post_id)
    if found is not None:
        until_text = f" until {iso(found.expires_at)}" if found.expires_at else ""
        raise Forbidden(
            f"You are banned from this submolt{until_text}: {found.reason}",
            "Post and comment in other submolts",
        )

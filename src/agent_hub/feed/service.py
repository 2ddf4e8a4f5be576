"""The personal feed: posts in submolts the caller subscribes to, or by agents it follows.

One query over posts with `submolt_id IN (subscriptions) OR author_id IN (follows)`, so a post
that matches both appears once, and the listing engine pages it like any other list. An agent
with no subscriptions and no follows gets an empty feed (OSS behaviour).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.posts import listing
from agent_hub.posts.repository import feed_scope


async def feed(
    db: AsyncSession, agent: Agent, *, sort: str, filter_: str, limit: int, offset: int, cursor: str | None
) -> dict[str, Any]:
    following_only = (filter_ or "all").strip().lower() == "following"
    return await listing.list_posts(
        db, where=[feed_scope(agent.id, following_only)], sort=sort, limit=limit, offset=offset, cursor=cursor
    )

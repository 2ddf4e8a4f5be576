"""The activity view: what one agent did over the last days, newest first, with counts, and the
requests the hub refused it (401/403/429, from the bounded refusal log: refusals.py).

The owner sees any agent; an agent sees itself. Days start at midnight UTC (`days=1` is today).
Each kind is capped (`CAP` items) so a busy agent's view stays one small page; the counts say
how many there were up to the cap.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.activity import repository as repo
from agent_hub.agents.models import Agent
from agent_hub.agents.repository import by_name
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.refusals import RefusalLog

MAX_DAYS = 7
CAP = 100
EXCERPT = 160


def since_days(days: int) -> datetime:
    now = utcnow()
    return datetime.combine(now.date(), time(), tzinfo=now.tzinfo) - timedelta(days=days - 1)


async def activity(
    db: AsyncSession, viewer: Agent, name: str, days: int, refusals: RefusalLog | None = None
) -> dict[str, Any]:
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest("Invalid days", f"Send days from 1 (today) to {MAX_DAYS}")
    agent = await by_name(db, name)
    if agent is None:
        raise NotFound("Agent not found", "Check the agent name")
    if viewer.type != "human" and viewer.id != agent.id:
        raise Forbidden("Only the hub owner sees another agent's activity", "Ask for your own: /agents/{you}/activity")
    since = since_days(days)
    items: list[dict[str, Any]] = []
    posts = await repo.posts(db, agent.id, since, CAP)
    items += [
        {"kind": "post", "at": p.created_at, "id": p.id, "post_id": p.id, "text": p.title[:EXCERPT]} for p in posts
    ]
    comments = await repo.comments(db, agent.id, since, CAP)
    items += [
        {"kind": "comment", "at": c.created_at, "id": c.id, "post_id": c.post_id, "text": c.content[:EXCERPT]}
        for c in comments
    ]
    votes = await repo.votes(db, agent.id, since, CAP)
    items += [
        {"kind": "vote", "at": at, "id": target, "target_type": kind, "value": value}
        for kind, target, value, at in votes
    ]
    messages = await repo.messages(db, agent.id, since, CAP)
    names = await repo.names(db, {other for _, other in messages})
    items += [
        {
            "kind": "dm",
            "at": m.created_at,
            "id": m.id,
            "conversation_id": m.conversation_id,
            "to": names.get(other),
            "text": m.content[:EXCERPT],
        }
        for m, other in messages
    ]
    moderation = await repo.moderation(db, agent.id, since, CAP)
    items += [
        {"kind": "moderation", "at": e.created_at, "id": e.id, "action": e.action, "text": e.reason} for e in moderation
    ]
    refused_counts, refused = await refusals.recent(agent.id, since) if refusals else ({}, [])
    items += [
        {
            "kind": "refused",
            "at": datetime.fromtimestamp(r["at"], UTC),
            "id": f"r{r['at']:.6f}-{i}",
            "status": r["status"],
            "method": r["method"],
            "route": r["route"],
            "text": r["reason"],
            "key_prefix": r.get("key_prefix"),
        }
        for i, r in enumerate(refused)
    ]
    items.sort(key=lambda item: item["at"], reverse=True)
    for item in items:
        item["at"] = iso(item["at"])
    deliveries = await repo.deliveries(db, agent.id, since)
    return {
        "success": True,
        "agent": agent.name,
        "since": iso(since),
        "days": days,
        "counts": {
            "posts": len(posts),
            "comments": len(comments),
            "votes": len(votes),
            "dms": len(messages),
            "moderation": len(moderation),
            "webhook_deliveries": deliveries,
            "refused": sum(refused_counts.values()),
            "refused_by_status": refused_counts,
        },
        "keys": [
            {
                "prefix": k.prefix,
                "name": k.name,
                "last_used_at": iso(k.last_used_at),
                "revoked": k.revoked_at is not None,
            }
            for k in await repo.keys(db, agent.id)
        ],
        "items": items,
    }


async def today_per_agent(db: AsyncSession, owner: Agent) -> list[dict[str, Any]]:
    """The owner's agents and today's counts (for the owner's /home)."""
    agents = await repo.owned_agents(db, owner.id)
    counts = await repo.counts_by_agent(db, [a.id for a in agents], since_days(1))
    return [{"name": a.name, **counts[a.id]} for a in agents]

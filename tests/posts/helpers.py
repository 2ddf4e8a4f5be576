"""Test helpers for the post, vote and feed suites.

Everything goes through the HTTP API except creating submolts: `make_submolt` writes the row (and
the owner's moderator row) directly, so tests are free of the submolts domain's creation limits
(one submolt per hour, new-agent gate) and can make several per agent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import hot_score
from agent_hub.submolts.models import Moderator, Submolt
from tests.conftest import Actor, Hub

API = "/api/v1"


async def _agent_id(db: Any, actor: Actor) -> str:
    return (await db.execute(select(Agent.id).where(Agent.name_key == actor.name.lower()))).scalar_one()


async def make_submolt(hub: Hub, name: str, owner: Actor | None = None, role: str = "owner") -> str:
    async with hub.app.state.sessionmaker() as db, db.begin():
        sub = Submolt(name=name, display_name=name.title(), description="")
        db.add(sub)
        await db.flush()
        if owner is not None:
            db.add(Moderator(submolt_id=sub.id, agent_id=await _agent_id(db, owner), role=role))
        return sub.id


async def add_moderator(hub: Hub, submolt: str, actor: Actor, owner: Actor) -> None:
    resp = await owner.post(f"{API}/submolts/{submolt}/moderators", json={"agent_name": actor.name})
    assert resp.status_code == 200, resp.text


async def subscribe(actor: Actor, submolt: str) -> None:
    resp = await actor.post(f"{API}/submolts/{submolt}/subscribe")
    assert resp.status_code == 200 and resp.json()["action"] == "subscribed", resp.text


async def backdate(hub: Hub, post_id: str, hours: float) -> None:
    """Make a post older (and recompute its hot rank as a real vote would)."""
    async with hub.app.state.sessionmaker() as db, db.begin():
        post = await db.get(Post, post_id)
        assert post is not None
        created = utcnow() - timedelta(hours=hours)
        await db.execute(
            update(Post).where(Post.id == post_id).values(created_at=created, hot_score=hot_score(post.score, created))
        )


async def db_row(hub: Hub, model: Any, key: Any) -> Any:
    async with hub.app.state.sessionmaker() as db:
        return await db.get(model, key)


async def new_post(actor: Actor, submolt: str = "general", **fields: Any) -> dict[str, Any]:
    body = {"submolt": submolt, "title": fields.pop("title", "A title"), **fields}
    resp = await actor.post(f"{API}/posts", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["post"]

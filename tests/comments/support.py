"""Seeding helpers for comment/search tests.

Posts and votes belong to other domains (and the post cooldown would throttle a test that
needs many posts), so tests seed them straight into the database of the running app. Every
behaviour under test is still exercised through the HTTP API.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from agent_hub.agents.models import Agent
from agent_hub.comments.models import Comment
from agent_hub.db.base import new_id, utcnow
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt
from tests.conftest import Actor, Hub


async def make_post(
    hub: Hub,
    author: Actor,
    title: str = "A post",
    content: str | None = "Body text",
    submolt: str = "general",
    **fields: Any,
) -> str:
    async with hub.app.state.sessionmaker() as db, db.begin():
        agent_id = (await db.execute(select(Agent.id).where(Agent.name == author.name))).scalar_one()
        submolt_id = (await db.execute(select(Submolt.id).where(Submolt.name == submolt))).scalar_one()
        post = Post(
            id=new_id(),
            author_id=agent_id,
            submolt_id=submolt_id,
            title=title,
            content=content,
            created_at=utcnow(),
            **fields,
        )
        db.add(post)
    return post.id


async def update_post(hub: Hub, post_id: str, **values: Any) -> None:
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(Post).where(Post.id == post_id).values(**values))


async def set_comment_votes(hub: Hub, comment_id: str, up: int, down: int) -> None:
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(
            update(Comment).where(Comment.id == comment_id).values(upvotes=up, downvotes=down, score=up - down)
        )


async def post_row(hub: Hub, post_id: str) -> Post:
    async with hub.app.state.sessionmaker() as db:
        return (await db.execute(select(Post).where(Post.id == post_id))).scalar_one()


async def comment(actor: Actor, post_id: str, content: str = "hello", parent: str | None = None) -> dict:
    body: dict[str, Any] = {"content": content}
    if parent:
        body["parent_id"] = parent
    resp = await actor.post(f"/api/v1/posts/{post_id}/comments", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["comment"]

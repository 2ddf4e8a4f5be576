"""Watched threads: watchers hear about every new comment on a post (`thread_update`).

Authors watch their own posts automatically. Commenters do not: they already get `reply`
for answers to their comments, and auto-watching every thread one touched turns busy threads
into inbox storms (docs/decisions/inbox-watching.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.common.pagination import decode_cursor, encode_cursor
from agent_hub.common.time import iso
from agent_hub.errors import NotFound
from agent_hub.inbox import repository as repo
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt


async def _require_post(db: AsyncSession, post_id: str) -> Post:
    post = await db.get(Post, post_id)
    if post is None or post.is_deleted:
        raise NotFound("Post not found", "Check the post id; the post may have been deleted")
    return post


async def watch(db: AsyncSession, agent: Agent, post_id: str) -> str:
    post = await _require_post(db, post_id)
    return "watching" if await repo.watch(db, agent.id, post.id) else "already_watching"


async def unwatch(db: AsyncSession, agent: Agent, post_id: str) -> str:
    return "unwatched" if await repo.unwatch(db, agent.id, post_id) else "not_watching"


async def watched(db: AsyncSession, agent: Agent, *, limit: int, cursor: str | None) -> dict[str, Any]:
    data = decode_cursor(cursor)
    before = (str(data.get("t")), str(data.get("id"))) if data else None
    rows = await repo.watched_page(db, agent.id, limit=limit + 1, before=before)
    has_more = len(rows) > limit
    rows = rows[:limit]
    names = {}
    if rows:
        ids = {post.submolt_id for _, post in rows}
        names = dict((await db.execute(select(Submolt.id, Submolt.name).where(Submolt.id.in_(ids)))).all())
    items = [
        {
            "post_id": post.id,
            "title": post.title,
            "submolt_name": names.get(post.submolt_id),
            "comment_count": post.comment_count,
            "score": post.score,
            "is_author": post.author_id == agent.id,
            "watched_at": iso(at),
            "created_at": iso(post.created_at),
        }
        for at, post in rows
    ]
    next_cursor = encode_cursor({"t": items[-1]["watched_at"], "id": items[-1]["post_id"]}) if has_more else None
    return {
        "success": True,
        "posts": items,
        "watched": items,
        "count": len(items),
        "has_more": has_more,
        "next_cursor": next_cursor,
    }

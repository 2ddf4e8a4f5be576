"""Public profile: the agent plus its recent posts and comments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents import repository as repo
from agent_hub.agents import schemas
from agent_hub.agents import service as svc
from agent_hub.agents.models import Agent
from agent_hub.comments.models import Comment
from agent_hub.common.time import iso
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt


async def build_profile(db: AsyncSession, viewer: Agent | None, name: str | None) -> schemas.ProfileResponse:
    agent = await svc.require_agent(db, name)
    following = bool(viewer and await repo.is_following(db, viewer.id, agent.id))
    posts = (
        await db.execute(
            select(Post, Submolt.name)
            .join(Submolt, Submolt.id == Post.submolt_id)
            .where(Post.author_id == agent.id, Post.is_deleted.is_(False))
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(10)
        )
    ).all()
    comments = (
        await db.execute(
            select(Comment, Post.title)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.author_id == agent.id, Comment.is_deleted.is_(False), Post.is_deleted.is_(False))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(10)
        )
    ).all()
    return schemas.ProfileResponse(
        agent=schemas.agent_out(agent, await svc.owner_of(db, agent)),
        isFollowing=following,
        is_following=following,
        recentPosts=[
            schemas.RecentPost(
                id=p.id,
                title=p.title,
                content=p.content,
                url=p.url,
                submolt=sub,
                score=p.score,
                upvotes=p.upvotes,
                downvotes=p.downvotes,
                comment_count=p.comment_count,
                created_at=iso(p.created_at) or "",
            )
            for p, sub in posts
        ],
        recentComments=[
            schemas.RecentComment(
                id=c.id,
                post_id=c.post_id,
                content=c.content,
                score=c.score,
                created_at=iso(c.created_at) or "",
                post={"id": c.post_id, "title": title},
            )
            for c, title in comments
        ],
    )

"""SQL for the activity view: each kind of action by one agent (or by many, counted) since a
moment, on the author/agent indexes each table already has."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent, ApiKey
from agent_hub.comments.models import Comment
from agent_hub.dms.models import Conversation, Message
from agent_hub.moderation.models import ModerationAction
from agent_hub.posts.models import Post
from agent_hub.votes.models import CommentVote, PostVote
from agent_hub.webhooks.models import WebhookDelivery


async def posts(db: AsyncSession, agent_id: str, since: datetime, cap: int) -> list[Post]:
    stmt = (
        select(Post)
        .where(Post.author_id == agent_id, Post.created_at >= since)
        .order_by(Post.created_at.desc())
        .limit(cap)
    )
    return list((await db.execute(stmt)).scalars())


async def comments(db: AsyncSession, agent_id: str, since: datetime, cap: int) -> list[Comment]:
    stmt = (
        select(Comment)
        .where(Comment.author_id == agent_id, Comment.created_at >= since)
        .order_by(Comment.created_at.desc())
        .limit(cap)
    )
    return list((await db.execute(stmt)).scalars())


async def votes(db: AsyncSession, agent_id: str, since: datetime, cap: int) -> list[tuple[str, str, int, datetime]]:
    """(kind, target id, value, at)."""
    on_posts = select(PostVote.post_id, PostVote.value, PostVote.created_at).where(
        PostVote.agent_id == agent_id, PostVote.created_at >= since
    )
    on_comments = select(CommentVote.comment_id, CommentVote.value, CommentVote.created_at).where(
        CommentVote.agent_id == agent_id, CommentVote.created_at >= since
    )
    out = [("post", t, v, at) for t, v, at in (await db.execute(on_posts.limit(cap))).all()]
    out += [("comment", t, v, at) for t, v, at in (await db.execute(on_comments.limit(cap))).all()]
    return out


async def messages(db: AsyncSession, agent_id: str, since: datetime, cap: int) -> list[tuple[Message, str]]:
    """DMs the agent sent, with the other participant's id."""
    stmt = (
        select(Message, Conversation.agent_a_id, Conversation.agent_b_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.sender_id == agent_id, Message.created_at >= since)
        .order_by(Message.created_at.desc())
        .limit(cap)
    )
    return [(m, b if a == agent_id else a) for m, a, b in (await db.execute(stmt)).all()]


async def names(db: AsyncSession, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {i: n for i, n in (await db.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))).all()}


async def deliveries(db: AsyncSession, agent_id: str, since: datetime) -> dict[str, int]:
    """Webhook deliveries to the agent, by status."""
    stmt = (
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.agent_id == agent_id, WebhookDelivery.created_at >= since)
        .group_by(WebhookDelivery.status)
    )
    return {status: int(n) for status, n in (await db.execute(stmt)).all()}


async def keys(db: AsyncSession, agent_id: str) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.agent_id == agent_id).order_by(ApiKey.created_at)
    return list((await db.execute(stmt)).scalars())


async def moderation(db: AsyncSession, agent_id: str, since: datetime, cap: int) -> list[ModerationAction]:
    stmt = (
        select(ModerationAction)
        .where(ModerationAction.subject_id == agent_id, ModerationAction.created_at >= since)
        .order_by(ModerationAction.created_at.desc())
        .limit(cap)
    )
    return list((await db.execute(stmt)).scalars())


async def counts_by_agent(db: AsyncSession, agent_ids: Sequence[str], since: datetime) -> dict[str, dict[str, int]]:
    """Today's posts, comments, votes and DMs per agent, in four grouped queries."""
    out: dict[str, dict[str, int]] = {a: {"posts": 0, "comments": 0, "votes": 0, "dms": 0} for a in agent_ids}
    if not agent_ids:
        return out
    ids = list(agent_ids)
    queries: list[tuple[str, Any, Any, Any]] = [
        ("posts", Post.author_id, Post.created_at, Post),
        ("comments", Comment.author_id, Comment.created_at, Comment),
        ("votes", PostVote.agent_id, PostVote.created_at, PostVote),
        ("votes", CommentVote.agent_id, CommentVote.created_at, CommentVote),
        ("dms", Message.sender_id, Message.created_at, Message),
    ]
    for key, who, at, _model in queries:
        stmt = select(who, func.count()).where(who.in_(ids), at >= since).group_by(who)
        for agent_id, n in (await db.execute(stmt)).all():
            out[agent_id][key] += int(n)
    return out


async def owned_agents(db: AsyncSession, owner_id: str) -> list[Agent]:
    stmt = select(Agent).where(Agent.owner_id == owner_id, Agent.type != "human").order_by(Agent.name_key)
    return list((await db.execute(stmt)).scalars())

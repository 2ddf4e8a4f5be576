"""SQL for moderation: the append-only log, submolt bans, and the rows moderation changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.comments.models import Comment
from agent_hub.db.base import utcnow
from agent_hub.moderation.models import ModerationAction, SubmoltBan
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Moderator, Submolt


async def record(
    db: AsyncSession,
    actor: Agent | None,
    action: str,
    target_type: str,
    target_id: str,
    *,
    subject_id: str | None = None,
    submolt_id: str | None = None,
    reason: str = "",
    **details: Any,
) -> ModerationAction:
    """Append one entry to the log (nothing ever updates or deletes one)."""
    row = ModerationAction(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        submolt_id=submolt_id,
        reason=reason,
        details={k: v for k, v in details.items() if v is not None} or None,
        created_at=utcnow(),
    )
    db.add(row)
    await db.flush()
    return row


async def log_page(
    db: AsyncSession,
    *,
    limit: int,
    before: tuple[datetime, str] | None,
    submolt_ids: Sequence[str] | None,
    subject_id: str | None,
) -> list[ModerationAction]:
    """Newest first; `submolt_ids` None = every entry (the owner), else only those submolts'."""
    stmt = select(ModerationAction)
    if submolt_ids is not None:
        stmt = stmt.where(ModerationAction.submolt_id.in_(list(submolt_ids)))
    if subject_id is not None:
        stmt = stmt.where(ModerationAction.subject_id == subject_id)
    if before is not None:
        at, row_id = before
        stmt = stmt.where(
            or_(
                ModerationAction.created_at < at,
                (ModerationAction.created_at == at) & (ModerationAction.id < row_id),
            )
        )
    stmt = stmt.order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc()).limit(limit)
    return list((await db.execute(stmt)).scalars())


async def names(db: AsyncSession, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict((await db.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))).all())


async def moderated_submolts(db: AsyncSession, agent_id: str) -> list[str]:
    """Submolts `agent_id` moderates: an owner or moderator row, or the submolt's creator."""
    mods = select(Moderator.submolt_id).where(
        Moderator.agent_id == agent_id, Moderator.role.in_(("owner", "moderator"))
    )
    created = select(Submolt.id).where(Submolt.created_by == agent_id)
    return list((await db.execute(mods.union(created))).scalars())


async def is_moderator(db: AsyncSession, submolt: Submolt, agent_id: str) -> bool:
    if submolt.created_by == agent_id:
        return True
    role = await db.execute(
        select(Moderator.role).where(Moderator.submolt_id == submolt.id, Moderator.agent_id == agent_id)
    )
    return role.scalar_one_or_none() in ("owner", "moderator")


async def submolt_by_name(db: AsyncSession, name: str) -> Submolt | None:
    return (await db.execute(select(Submolt).where(Submolt.name == name.strip().lower()))).scalar_one_or_none()


async def agent_by_name(db: AsyncSession, name: str) -> Agent | None:
    key = name.strip().lstrip("@").lower()
    return (await db.execute(select(Agent).where(Agent.name_key == key))).scalar_one_or_none()


async def post_with_context(db: AsyncSession, post_id: str) -> tuple[Post, Agent, Submolt] | None:
    """Any post (removed or deleted too), its author and submolt; the post row locked."""
    stmt = (
        select(Post, Agent, Submolt)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Post.id == post_id)
        .with_for_update(of=Post, key_share=True)
    )
    row = (await db.execute(stmt)).first()
    return (row[0], row[1], row[2]) if row else None


async def comment_with_context(db: AsyncSession, comment_id: str) -> tuple[Comment, Agent, Post, Submolt] | None:
    stmt = (
        select(Comment, Agent, Post, Submolt)
        .join(Agent, Agent.id == Comment.author_id)
        .join(Post, Post.id == Comment.post_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Comment.id == comment_id)
    )
    row = (await db.execute(stmt)).first()
    return (row[0], row[1], row[2], row[3]) if row else None


async def set_post_removed(db: AsyncSession, post_id: str, reason: str | None) -> None:
    """Removal leaves every listing as a delete does (`is_deleted`), and keeps the content for
    a restore; `removed_at` tells the two apart."""
    now = utcnow()
    values: dict[str, Any] = (
        {"is_deleted": True, "is_pinned": False, "removed_at": now, "removed_reason": reason}
        if reason is not None
        else {"is_deleted": False, "removed_at": None, "removed_reason": None}
    )
    await db.execute(update(Post).where(Post.id == post_id).values(updated_at=now, **values))


async def set_comment_removed(db: AsyncSession, comment_id: str, reason: str | None) -> None:
    now = utcnow()
    values = {"removed_at": now if reason is not None else None, "removed_reason": reason}
    await db.execute(update(Comment).where(Comment.id == comment_id).values(updated_at=now, **values))


async def set_locked(db: AsyncSession, post_id: str, locked: bool) -> None:
    await db.execute(update(Post).where(Post.id == post_id).values(is_locked=locked, updated_at=utcnow()))


async def ban(db: AsyncSession, values: dict[str, Any]) -> None:
    """Insert or replace the ban of (submolt, agent)."""
    await db.execute(
        delete(SubmoltBan).where(
            SubmoltBan.submolt_id == values["submolt_id"], SubmoltBan.agent_id == values["agent_id"]
        )
    )
    db.add(SubmoltBan(**values))
    await db.flush()


async def unban(db: AsyncSession, submolt_id: str, agent_id: str) -> bool:
    result = await db.execute(
        delete(SubmoltBan).where(SubmoltBan.submolt_id == submolt_id, SubmoltBan.agent_id == agent_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def bans_left(db: AsyncSession, agent_id: str) -> int:
    rows = await db.execute(select(SubmoltBan.submolt_id).where(SubmoltBan.agent_id == agent_id))
    return len(rows.all())


async def bans_in(db: AsyncSession, submolt_id: str) -> list[tuple[SubmoltBan, Agent]]:
    stmt = (
        select(SubmoltBan, Agent)
        .join(Agent, Agent.id == SubmoltBan.agent_id)
        .where(SubmoltBan.submolt_id == submolt_id)
        .order_by(SubmoltBan.created_at.desc())
    )
    return [(b, a) for b, a in (await db.execute(stmt)).all()]


async def active_ban(
    db: AsyncSession, agent_id: str, *, submolt_id: str | None = None, post_id: str | None = None
) -> SubmoltBan | None:
    """The agent's ban from a submolt (given directly or as a post's), if in force now."""
    stmt = select(SubmoltBan).where(SubmoltBan.agent_id == agent_id)
    if submolt_id is not None:
        stmt = stmt.where(SubmoltBan.submolt_id == submolt_id)
    else:
        stmt = stmt.join(Post, Post.submolt_id == SubmoltBan.submolt_id).where(Post.id == post_id)
    ban_row = (await db.execute(stmt)).scalars().first()
    if ban_row is None or (ban_row.expires_at is not None and ban_row.expires_at <= utcnow()):
        return None
    return ban_row

"""SQL for reports: one row per (target, reporter), on posts and on comments; the queue groups
them per target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.comments.models import Comment
from agent_hub.posts.models import Post
from agent_hub.reports.models import CommentReport, PostReport
from agent_hub.submolts.models import Submolt

QUEUE_CAP = 200  # targets per kind a queue page is chosen from
Model = type[PostReport] | type[CommentReport]


def model_of(kind: str) -> Any:
    return PostReport if kind == "post" else CommentReport


def target_column(model: Any) -> Any:
    return model.post_id if model is PostReport else model.comment_id


@dataclass
class Group:
    kind: str
    target_id: str
    count: int
    first_at: datetime
    last_at: datetime
    resolution: str | None = None
    reporters: list[dict[str, Any]] = field(default_factory=list)


def _state(model: Any, status: str) -> Any:
    if status == "open":
        return model.resolved_at.is_(None)
    if status == "dismissed":
        return model.resolution == "dismissed"
    if status == "resolved":
        return model.resolved_at.is_not(None) & (model.resolution != "dismissed")
    return model.reporter_id.is_not(None)  # all


async def groups(db: AsyncSession, kind: str, status: str, submolt_ids: Sequence[str] | None) -> list[Group]:
    """Reported targets of one kind in `status`, newest report first (at most QUEUE_CAP)."""
    model = model_of(kind)
    target = target_column(model)
    last = func.max(func.coalesce(model.updated_at, model.created_at))
    stmt = (
        select(target, func.count(), func.min(model.created_at), last, func.max(model.resolution))
        .where(_state(model, status))
        .group_by(target)
        .order_by(last.desc())
        .limit(QUEUE_CAP)
    )
    stmt = _in_submolts(stmt, kind, submolt_ids)
    return [Group(kind, t, n, first, at, res) for t, n, first, at, res in (await db.execute(stmt)).all()]


async def reporters(db: AsyncSession, kind: str, ids: Sequence[str], status: str) -> list[tuple[str, Any, str]]:
    """(target id, report row, reporter name) for those targets, oldest first."""
    if not ids:
        return []
    model = model_of(kind)
    target = target_column(model)
    stmt = (
        select(target, model, Agent.name)
        .join(Agent, Agent.id == model.reporter_id)
        .where(target.in_(list(ids)), _state(model, status))
        .order_by(model.created_at)
    )
    return [(t, r, name) for t, r, name in (await db.execute(stmt)).all()]


async def post_targets(db: AsyncSession, ids: Sequence[str]) -> dict[str, tuple[Post, Agent, Submolt]]:
    if not ids:
        return {}
    stmt = (
        select(Post, Agent, Submolt)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Post.id.in_(list(ids)))
    )
    return {p.id: (p, a, s) for p, a, s in (await db.execute(stmt)).all()}


async def comment_targets(db: AsyncSession, ids: Sequence[str]) -> dict[str, tuple[Comment, Agent, Submolt]]:
    if not ids:
        return {}
    stmt = (
        select(Comment, Agent, Submolt)
        .join(Agent, Agent.id == Comment.author_id)
        .join(Post, Post.id == Comment.post_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Comment.id.in_(list(ids)))
    )
    return {c.id: (c, a, s) for c, a, s in (await db.execute(stmt)).all()}


async def close(db: AsyncSession, kind: str, target_id: str, resolution: str, now: datetime) -> int:
    """Resolve or dismiss every open report of the target; how many there were."""
    model = model_of(kind)
    result = await db.execute(
        update(model)
        .where(target_column(model) == target_id, model.resolved_at.is_(None))
        .values(resolved_at=now, resolution=resolution)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _in_submolts(stmt: Any, kind: str, submolt_ids: Sequence[str] | None) -> Any:
    """`stmt` limited to targets in those submolts (None: every submolt)."""
    if submolt_ids is None:
        return stmt
    target = target_column(model_of(kind))
    if kind == "post":
        return stmt.join(Post, Post.id == target).where(Post.submolt_id.in_(list(submolt_ids)))
    return (
        stmt.join(Comment, Comment.id == target)
        .join(Post, Post.id == Comment.post_id)
        .where(Post.submolt_id.in_(list(submolt_ids)))
    )


async def open_counts(db: AsyncSession, submolt_ids: Sequence[str] | None = None) -> tuple[int, int]:
    """(open reports, reported targets) over posts and comments, in those submolts (None: all)."""
    reports = targets = 0
    for kind in ("post", "comment"):
        model = model_of(kind)
        target = target_column(model)
        stmt = select(func.count(), func.count(func.distinct(target))).where(model.resolved_at.is_(None))
        row = (await db.execute(_in_submolts(stmt, kind, submolt_ids))).one()
        reports, targets = reports + int(row[0]), targets + int(row[1])
    return reports, targets

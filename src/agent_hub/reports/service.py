"""Reporting a post or a comment.

Decisions (the live API documents only the post path and `reason`, default "spam"):
- One report per reporter and target; a repeat updates the reason (200 either way, with
  `already_reported`) so a retrying client cannot flood the owner. A repeat after the target's
  reports were closed opens it again.
- The hub's human owner is the moderator of last resort: a new (or reopened) report puts a
  `report` item in the owner's inbox (live in the browser), in the report's transaction.
  Reporting your own post or comment is refused (it would only hide a delete).
- The queue (reports/queue.py) gathers reports per target for the owner and moderators.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.agents.service import human_owner
from agent_hub.comments.models import Comment
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.posts.models import Post
from agent_hub.reports import repository as repo
from agent_hub.reports.schemas import (
    DEFAULT_REASON,
    MAX_REASON,
    CommentReportOut,
    CommentReportResponse,
    ReportOut,
    ReportRequest,
    ReportResponse,
)

REPORTED = "Post reported. The hub's owner will take a look."
ALREADY_REPORTED = "You already reported this post; reason updated"


def _reason(body: ReportRequest | None) -> str:
    reason = ((body.reason if body else None) or "").replace("\x00", "").strip()
    if len(reason) > MAX_REASON:
        raise BadRequest("Reason too long", f"Give the reason in at most {MAX_REASON} characters")
    return reason or DEFAULT_REASON


async def _insert_new(db: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """Insert unless this reporter already reported the target; True when the row is new."""
    if db.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    target = repo.target_column(model)
    stmt = (
        dialect_insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[target.key, "reporter_id"])
        .returning(target)
    )
    return (await db.execute(stmt)).first() is not None


async def _file(
    db: AsyncSession, agent: Agent, kind: str, target_id: str, reason: str, preview: str, **where: str
) -> tuple[bool, Any]:
    """Store the report (or replace its reason, reopening it if it was closed); the owner is
    told of a new or reopened one. Returns (new, first reported at)."""
    model = repo.model_of(kind)
    target = repo.target_column(model)
    now = utcnow()
    created = await _insert_new(
        db, model, {target.key: target_id, "reporter_id": agent.id, "reason": reason, "created_at": now}
    )
    reopened = False
    reported_at = now
    if not created:
        mine = (target == target_id) & (model.reporter_id == agent.id)
        was_closed = (await db.execute(select(model.resolved_at).where(mine))).scalar_one() is not None
        await db.execute(
            update(model).where(mine).values(reason=reason, updated_at=now, resolved_at=None, resolution=None)
        )
        reported_at = (await db.execute(select(model.created_at).where(mine))).scalar_one()
        reopened = was_closed
    if created or reopened:
        owner = await human_owner(db)
        if owner is not None and owner.id != agent.id:
            await inbox.deliver(db, [inbox.Note(owner.id, "report", agent, preview=inbox.preview(preview), **where)])
    return created, reported_at


async def report_post(db: AsyncSession, agent: Agent, post_id: str, body: ReportRequest | None) -> ReportResponse:
    reason = _reason(body)
    post = (
        (await db.execute(select(Post).where(Post.id == post_id, Post.is_deleted.is_(False)))).scalar_one_or_none()
        if len(post_id) <= 64
        else None
    )
    if post is None:
        raise NotFound("Post not found", "Check the post id")
    if post.author_id == agent.id:
        raise BadRequest("You cannot report your own post", "Delete it instead: DELETE /api/v1/posts/{id}")
    preview = f"{agent.name} reported \u201c{post.title}\u201d: {reason}"
    created, reported_at = await _file(db, agent, "post", post.id, reason, preview, post_id=post.id)
    return ReportResponse(
        message=REPORTED if created else ALREADY_REPORTED,
        already_reported=not created,
        report=ReportOut(post_id=post.id, reason=reason, created_at=iso(reported_at)),
    )


async def report_comment(
    db: AsyncSession, agent: Agent, comment_id: str, body: ReportRequest | None
) -> CommentReportResponse:
    reason = _reason(body)
    comment = (
        (
            await db.execute(select(Comment).where(Comment.id == comment_id, Comment.is_deleted.is_(False)))
        ).scalar_one_or_none()
        if len(comment_id) <= 64
        else None
    )
    if comment is None:
        raise NotFound("Comment not found", "Check the comment id")
    if comment.author_id == agent.id:
        raise BadRequest("You cannot report your own comment", "Delete it instead: DELETE /api/v1/comments/{id}")
    preview = f"{agent.name} reported a comment: {reason}"
    created, reported_at = await _file(
        db, agent, "comment", comment.id, reason, preview, post_id=comment.post_id, comment_id=comment.id
    )
    return CommentReportResponse(
        message=REPORTED.replace("Post", "Comment") if created else ALREADY_REPORTED.replace("post", "comment"),
        already_reported=not created,
        report=CommentReportOut(
            comment_id=comment.id, post_id=comment.post_id, reason=reason, created_at=iso(reported_at)
        ),
    )

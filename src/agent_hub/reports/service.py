"""Reporting a post.

Decisions (the live API documents only the path and `reason`, default "spam"):
- One report per reporter and post; a repeat updates the reason (200 either way, with
  `already_reported`) so a retrying client cannot flood the owner.
- The hub's human owner is the moderator of last resort: the first report of a post by an
  agent puts a `report` item in the owner's inbox (live in the browser), in the report's
  transaction. Reporting your own post is refused (it would only hide a delete).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.agents.service import human_owner
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.posts.models import Post
from agent_hub.reports.models import PostReport
from agent_hub.reports.schemas import DEFAULT_REASON, MAX_REASON, ReportOut, ReportRequest, ReportResponse

REPORTED = "Post reported. The hub's owner will take a look."
ALREADY_REPORTED = "You already reported this post; reason updated"


def _reason(body: ReportRequest | None) -> str:
    reason = ((body.reason if body else None) or "").replace("\x00", "").strip()
    if len(reason) > MAX_REASON:
        raise BadRequest("Reason too long", f"Give the reason in at most {MAX_REASON} characters")
    return reason or DEFAULT_REASON


async def _insert_new(db: AsyncSession, values: dict) -> bool:
    """Insert unless this reporter already reported the post; True when the row is new."""
    if db.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = (
        dialect_insert(PostReport)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["post_id", "reporter_id"])
        .returning(PostReport.post_id)
    )
    return (await db.execute(stmt)).first() is not None


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
    now = utcnow()
    created = await _insert_new(db, {"post_id": post.id, "reporter_id": agent.id, "reason": reason, "created_at": now})
    if created:
        owner = await human_owner(db)
        if owner is not None and owner.id != agent.id:
            preview = f"{agent.name} reported \u201c{post.title}\u201d: {reason}"
            await inbox.deliver(db, [inbox.Note(owner.id, "report", agent, post_id=post.id, preview=preview)])
        reported_at = now
    else:
        await db.execute(
            update(PostReport)
            .where(PostReport.post_id == post.id, PostReport.reporter_id == agent.id)
            .values(reason=reason, updated_at=now)
        )
        reported_at = (
            await db.execute(
                select(PostReport.created_at).where(PostReport.post_id == post.id, PostReport.reporter_id == agent.id)
            )
        ).scalar_one()
    return ReportResponse(
        message=REPORTED if created else ALREADY_REPORTED,
        already_reported=not created,
        report=ReportOut(post_id=post.id, reason=reason, created_at=iso(reported_at)),
    )

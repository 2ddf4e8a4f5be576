"""The media job queue in SQL: claim with a lease, finish only if the lease is still ours.

Claim: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (two workers never pick the same row;
SQLite ignores the clause and serialises writers anyway), then a compare-and-set UPDATE that
sets a fresh ``lease_token`` only if the job is still claimable. A job is claimable when it is
queued and due, or running with an expired lease (its worker died).

Every result write repeats ``WHERE id = :id AND lease_token = :token AND status = 'running'``:
a worker that lost its lease (it stalled past ``lease_until`` and another worker took over)
writes nothing, so each job has its effect once even though it may run more than once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.comments.models import Comment
from agent_hub.db.base import utcnow
from agent_hub.posts.models import Post

from .models import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, MediaJob

FAILED_TEXT = "[Processing failed]"
TARGETS: dict[str, Any] = {"post": Post, "comment": Comment}


@dataclass(slots=True)
class Claimed:
    id: str
    kind: str
    target_type: str
    target_id: str
    agent_id: str
    object_key: str
    content_type: str
    attempts: int
    token: str
    created_at: datetime


def _claimable(now: datetime) -> Any:
    return and_(
        MediaJob.run_after <= now,
        or_(
            MediaJob.status == JOB_QUEUED,
            and_(MediaJob.status == JOB_RUNNING, MediaJob.lease_until < now),
        ),
    )


async def claim(db: AsyncSession, *, worker_id: str, lease_seconds: float) -> Claimed | None:
    now = utcnow()
    job_id = (
        await db.execute(
            select(MediaJob.id)
            .where(MediaJob.status.in_((JOB_QUEUED, JOB_RUNNING)), _claimable(now))
            .order_by(MediaJob.run_after, MediaJob.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).scalar()
    if job_id is None:
        return None
    token = str(uuid.uuid4())
    won = await db.execute(
        update(MediaJob)
        .where(MediaJob.id == job_id, _claimable(now))
        .values(
            status=JOB_RUNNING,
            lease_token=token,
            lease_until=now + timedelta(seconds=lease_seconds),
            locked_by=worker_id[:64],
            attempts=MediaJob.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = (await db.execute(select(MediaJob).where(MediaJob.id == job_id))).scalar_one()
    return Claimed(
        job.id,
        job.kind,
        job.target_type,
        job.target_id,
        job.agent_id,
        job.object_key,
        job.content_type,
        job.attempts,
        token,
        job.created_at,
    )


def _ours(job: Claimed) -> Any:
    return and_(MediaJob.id == job.id, MediaJob.lease_token == job.token, MediaJob.status == JOB_RUNNING)


async def _set_target(db: AsyncSession, job: Claimed, **values: Any) -> None:
    model = TARGETS[job.target_type]
    await db.execute(
        update(model)
        .where(model.id == job.target_id, model.media_key == job.object_key)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def complete(db: AsyncSession, job: Claimed, description: str, engine: str) -> bool:
    now = utcnow()
    won = await db.execute(
        update(MediaJob)
        .where(_ours(job))
        .values(
            status=JOB_DONE,
            lease_token=None,
            lease_until=None,
            engine=engine,
            last_error=None,
            finished_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await _set_target(db, job, media_description=description, media_status="ready")
    return True


async def post_of(db: AsyncSession, job: Claimed) -> str | None:
    """The post a job's media belongs to (the post itself, or the commented post)."""
    if job.target_type == "post":
        return job.target_id
    if job.target_type == "comment":
        return (await db.execute(select(Comment.post_id).where(Comment.id == job.target_id))).scalar()
    return None


async def fail(db: AsyncSession, job: Claimed, error: str, *, max_attempts: int, backoff: float) -> str | None:
    """Schedule a retry ('retry'), or give up after the last attempt ('failed'); None if not ours."""
    now = utcnow()
    if job.attempts >= max_attempts:
        values: dict[str, Any] = {"status": JOB_FAILED, "finished_at": now}
        outcome = "failed"
    else:
        delay = backoff * (2 ** max(job.attempts - 1, 0))
        values = {"status": JOB_QUEUED, "run_after": now + timedelta(seconds=delay)}
        outcome = "retry"
    won = await db.execute(
        update(MediaJob)
        .where(_ours(job))
        .values(
            lease_token=None,
            lease_until=None,
            last_error=error[:2000],
            updated_at=now,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return None
    if outcome == "failed":
        await _set_target(db, job, media_description=FAILED_TEXT, media_status="failed")
    return outcome


async def release(db: AsyncSession, job: Claimed) -> None:
    """Hand a job back untouched (graceful shutdown): the attempt does not count."""
    await db.execute(
        update(MediaJob)
        .where(_ours(job))
        .values(
            status=JOB_QUEUED,
            lease_token=None,
            lease_until=None,
            attempts=MediaJob.attempts - 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def queue_stats(db: AsyncSession) -> tuple[int, float]:
    """(unfinished jobs, age in seconds of the oldest one)."""
    count, oldest = (
        await db.execute(
            select(func.count(), func.min(MediaJob.created_at)).where(MediaJob.status.in_((JOB_QUEUED, JOB_RUNNING)))
        )
    ).one()
    if not oldest:
        return int(count), 0.0
    if isinstance(oldest, str):  # SQLite aggregates come back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return int(count), max((utcnow() - oldest).total_seconds(), 0.0)

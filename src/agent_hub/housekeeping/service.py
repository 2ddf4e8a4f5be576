"""What is pruned, after how long, and how.

Never pruned: anything a member can see as content or inbox (posts, comments, votes, DMs,
notifications, reports) and anything still in flight (pending webhook deliveries, queued or
running media jobs). Pruned:

| table | rows | after |
|---|---|---|
| webhook_deliveries | delivered, failed or cancelled | AGENT_HUB_WEBHOOK_DELIVERY_RETENTION_DAYS (7) |
| media_jobs | done or failed (the post keeps its description) | AGENT_HUB_MEDIA_JOB_RETENTION_DAYS (7) |
| auth_sessions | past their absolute expiry or idle timeout (they can no longer sign anyone in) | at once |
| auth_setup_tokens | used or expired | one day |
| auth_events | the owner's security log | AGENT_HUB_AUDIT_RETENTION_DAYS (365) |

A retention of 0 keeps those rows forever. Deletes go in batches of BATCH rows, each its own
short transaction, so pruning a backlog never holds locks for long; replicas may prune at the
same time (a row deleted twice is simply not found the second time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select

from agent_hub import metrics
from agent_hub.auth.models import AuthSession, SecurityEvent, SetupToken
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.media.models import JOB_DONE, JOB_FAILED, MediaJob
from agent_hub.webhooks.models import WebhookDelivery

BATCH = 1000
SETUP_TOKEN_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    table: str
    key: Any  # the primary key column the batches select by
    where: Callable[[Settings, datetime], ColumnElement[bool] | None]  # None: keep everything


def _days(value: float, now: datetime) -> datetime | None:
    return now - timedelta(days=value) if value > 0 else None


def _finished_deliveries(settings: Settings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _days(settings.webhook_delivery_retention_days, now)
    if cutoff is None:
        return None
    return and_(WebhookDelivery.status.in_(("delivered", "failed", "cancelled")), WebhookDelivery.created_at < cutoff)


def _finished_jobs(settings: Settings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _days(settings.media_job_retention_days, now)
    if cutoff is None:
        return None
    # A finished job always has finished_at; created_at covers rows written before it existed.
    return and_(
        MediaJob.status.in_((JOB_DONE, JOB_FAILED)),
        or_(MediaJob.finished_at < cutoff, and_(MediaJob.finished_at.is_(None), MediaJob.created_at < cutoff)),
    )


def _dead_sessions(settings: Settings, now: datetime) -> ColumnElement[bool]:
    idle_since = now - timedelta(days=settings.session_idle_days)
    return or_(AuthSession.expires_at <= now, AuthSession.last_used_at <= idle_since)


def _spent_setup_tokens(settings: Settings, now: datetime) -> ColumnElement[bool]:
    cutoff = now - SETUP_TOKEN_GRACE
    return or_(SetupToken.used_at < cutoff, SetupToken.expires_at < cutoff)


def _old_events(settings: Settings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _days(settings.audit_retention_days, now)
    return SecurityEvent.created_at < cutoff if cutoff is not None else None


RULES = (
    Rule("webhook_deliveries", WebhookDelivery.id, _finished_deliveries),
    Rule("media_jobs", MediaJob.id, _finished_jobs),
    Rule("auth_sessions", AuthSession.id, _dead_sessions),
    Rule("auth_setup_tokens", SetupToken.id, _spent_setup_tokens),
    Rule("auth_events", SecurityEvent.id, _old_events),
)


async def prune(sessionmaker: Any, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention; the number of rows deleted per table."""
    now = now or utcnow()
    deleted: dict[str, int] = {}
    for rule in RULES:
        where = rule.where(settings, now)
        if where is None:
            continue
        total = 0
        while True:
            async with sessionmaker() as db, db.begin():
                ids = (await db.execute(select(rule.key).where(where).limit(BATCH))).scalars().all()
                if ids:
                    await db.execute(delete(rule.key.table).where(rule.key.in_(ids)))
            total += len(ids)
            if len(ids) < BATCH:
                break
        deleted[rule.table] = total
        if total:
            metrics.HOUSEKEEPING_DELETED.labels(table=rule.table).inc(total)
    return deleted

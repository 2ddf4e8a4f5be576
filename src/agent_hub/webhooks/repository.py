"""SQL for webhooks and their delivery queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from agent_hub.inbox.repository import rowcount
from agent_hub.webhooks.models import Webhook, WebhookDelivery


async def get(db: AsyncSession, agent_id: str) -> Webhook | None:
    return await db.get(Webhook, agent_id)


async def pending_count(db: AsyncSession, agent_id: str) -> int:
    row = await db.execute(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.agent_id == agent_id, WebhookDelivery.status == "pending")
    )
    return int(row.scalar_one())


async def cancel_pending(db: AsyncSession, agent_id: str, reason: str) -> None:
    await db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.agent_id == agent_id, WebhookDelivery.status == "pending")
        .values(status="cancelled", last_error=reason[:300], locked_until=None)
    )


async def claim(
    db: AsyncSession, *, limit: int, lease: float, busy: frozenset[str] = frozenset()
) -> list[tuple[WebhookDelivery, Webhook | None, bool]]:
    """Take due deliveries under a lease: the oldest due one of each webhook that has no attempt
    in flight anywhere (an unexpired lease, or `busy` in this process), at most `limit`. Each
    comes with its webhook and whether its agent may receive deliveries (not disabled or
    suspended). On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several replicas claim side by
    side; SQLite serialises writers (BEGIN IMMEDIATE) instead. A crashed worker's lease simply
    runs out and the delivery is claimed again."""
    now = utcnow()
    in_flight = select(WebhookDelivery.agent_id).where(
        WebhookDelivery.status == "pending", WebhookDelivery.locked_until >= now
    )
    query = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
            WebhookDelivery.agent_id.not_in(in_flight),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit * 4)  # several rows of one webhook are skipped below
        .with_for_update(skip_locked=True)
    )
    if busy:
        query = query.where(WebhookDelivery.agent_id.not_in(list(busy)))
    rows = (await db.execute(query)).scalars().all()
    out: list[tuple[WebhookDelivery, Webhook | None, bool]] = []
    taken: set[str] = set()
    for delivery in rows:
        if delivery.agent_id in taken or len(out) >= limit:
            continue
        taken.add(delivery.agent_id)
        delivery.locked_until = now + timedelta(seconds=lease)
        delivery.attempts += 1
        agent = await db.get(Agent, delivery.agent_id)
        agent_ok = agent is not None and agent.status != "suspended"
        out.append((delivery, await db.get(Webhook, delivery.agent_id), agent_ok))
    await db.flush()
    return out


async def record_success(db: AsyncSession, delivery_id: int, agent_id: str, status: int | None) -> None:
    now = utcnow()
    await db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(status="delivered", delivered_at=now, locked_until=None, last_status=status, last_error=None)
    )
    await db.execute(
        update(Webhook)
        .where(Webhook.agent_id == agent_id)
        .values(consecutive_failures=0, last_success_at=now, updated_at=now)
    )


async def record_failure(
    db: AsyncSession, delivery: dict[str, Any], error: str, status: int | None, retry_at: datetime | None
) -> int:
    """Returns the webhook's consecutive failure count after this one."""
    now = utcnow()
    values: dict[str, Any] = {"locked_until": None, "last_error": error[:300], "last_status": status}
    if retry_at is None:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = retry_at
    await db.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery["id"]).values(**values))
    result = await db.execute(
        update(Webhook)
        .where(Webhook.agent_id == delivery["agent_id"])
        .values(
            consecutive_failures=Webhook.consecutive_failures + 1,
            last_failure_at=now,
            last_error=error[:300],
            updated_at=now,
        )
        .returning(Webhook.consecutive_failures)
    )
    row = result.first()
    return int(row[0]) if row else 0


async def disable(db: AsyncSession, agent_id: str, reason: str) -> bool:
    """True when this call disabled it (it was enabled)."""
    now = utcnow()
    result = await db.execute(
        update(Webhook)
        .where(Webhook.agent_id == agent_id, Webhook.enabled.is_(True))
        .values(enabled=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now)
    )
    return bool(rowcount(result))

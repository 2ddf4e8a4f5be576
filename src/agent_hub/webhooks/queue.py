"""Writing webhook deliveries: a row in the transaction of the change it reports (durable),
picked up after commit by the delivery loop (`webhooks/delivery.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.webhooks.models import WebhookDelivery


def takes_deliveries(agent_id: str) -> str:
    """SQL: whether the agent `agent_id` (an SQL expression) gets webhook deliveries queued: it
    has an enabled webhook and is not disabled (a disabled or suspended agent gets nothing
    queued; the delivery loop cancels what was queued before). The one rule for every writer of
    `webhook_deliveries`: `enabled_for` below and the PostgreSQL statements that write
    notifications with their deliveries (inbox/repository.py, comments/create_sql.py)."""
    return (
        "EXISTS (SELECT 1 FROM webhooks w JOIN agents a ON a.id = w.agent_id"
        f" WHERE w.agent_id = {agent_id} AND w.enabled AND a.status <> 'suspended')"
    )


def notification_delivery(
    recipient: str, template: str, now: str, *, notification_id: str, unread: str, kind: str = "", count: str = ""
) -> str:
    """SQL: the INSERT of one notification's delivery row, up to its FROM (the caller's), for the
    PostgreSQL statements that write notifications with their deliveries (inbox/repository.py,
    comments/create_sql.py). Arguments are SQL expressions: the body `template` (JSON text,
    `inbox.service.webhook_payload_template`) gets the notification's id (and its kind and
    count, when the statement decides them), the recipient's unread count and `last_id` —
    the body `enqueue` writes for the Python path; the row is pending and due at `now`."""
    body = f"CAST({template} AS jsonb)"
    fields = [("notification,id", notification_id), ("notification,type", kind), ("notification,count", count)]
    for path, value in [*fields, ("unread_count", unread), ("last_id", notification_id)]:
        if value:
            body = f"jsonb_set({body}, '{{{path}}}', to_jsonb({value}))"
    return (
        "INSERT INTO webhook_deliveries (agent_id, event, payload, status, attempts, next_attempt_at, created_at)"
        f" SELECT {recipient}, 'notification', CAST({body} AS text), 'pending', 0, {now}, {now}"
    )


async def enabled_for(db: AsyncSession, agent_ids: Sequence[str]) -> set[str]:
    """Which of `agent_ids` get webhook deliveries queued (`takes_deliveries`)."""
    if not agent_ids:
        return set()
    rows = await db.execute(select(Agent.id).where(Agent.id.in_(list(agent_ids)), text(takes_deliveries("agents.id"))))
    return {r[0] for r in rows}


async def enqueue(db: AsyncSession, agent_id: str, event: str, payload: dict[str, Any]) -> int:
    now = utcnow()
    body = {**payload, "created_at": iso(now)}
    result = await db.execute(
        insert(WebhookDelivery)
        .values(
            agent_id=agent_id,
            event=event,
            payload=orjson.dumps(body).decode(),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .returning(WebhookDelivery.id)
    )
    events.signal(db, {"k": "webhook"})  # wakes this replica's delivery loop after commit
    return int(result.scalar_one())

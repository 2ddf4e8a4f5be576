"""Writing webhook deliveries: a row in the transaction of the change it reports (durable),
picked up after commit by the delivery loop (`webhooks/delivery.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.webhooks.models import Webhook, WebhookDelivery


async def enabled_for(db: AsyncSession, agent_ids: Sequence[str]) -> set[str]:
    if not agent_ids:
        return set()
    # A disabled or suspended agent gets nothing queued (the loop cancels what was queued before).
    rows = await db.execute(
        select(Webhook.agent_id)
        .join(Agent, Agent.id == Webhook.agent_id)
        .where(Webhook.agent_id.in_(list(agent_ids)), Webhook.enabled.is_(True), Agent.status != "suspended")
    )
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

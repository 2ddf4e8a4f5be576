"""Webhook use cases: set (vetting the URL), read, remove, test."""

from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import security_events
from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, NotFound
from agent_hub.webhooks import client, signing
from agent_hub.webhooks import repository as repo
from agent_hub.webhooks.delivery import headers_for
from agent_hub.webhooks.models import Webhook
from agent_hub.webhooks.schemas import webhook_out
from agent_hub.webhooks.ssrf import UnsafeUrl, vet_url


def _not_found() -> NotFound:
    return NotFound("No webhook configured", 'Set one with PUT /api/v1/agents/me/webhook {"url": "https://..."}')


async def put(db: AsyncSession, settings: Settings, agent: Agent, url: str) -> dict[str, Any]:
    """Set (or replace) the webhook. A new secret each time, shown once; re-enables it."""
    url = url.strip()
    try:
        await vet_url(url, settings)
    except UnsafeUrl as exc:
        security_events.record("webhook_ssrf_refused", agent_id=agent.id, reason=str(exc), when="set")
        raise BadRequest(str(exc), "Use a public https:// URL that resolves to a public address") from exc
    secret = signing.new_secret()
    now = utcnow()
    hook = await repo.get(db, agent.id)
    if hook is None:
        hook = Webhook(
            agent_id=agent.id,
            url=url,
            secret=secret,
            enabled=True,
            consecutive_failures=0,
            created_at=now,
            updated_at=now,
        )
        db.add(hook)
    else:
        hook.url, hook.secret, hook.enabled, hook.consecutive_failures = url, secret, True, 0
        hook.disabled_at = hook.disabled_reason = hook.last_error = None
        hook.updated_at = now
    await db.flush()
    return webhook_out(hook, await repo.pending_count(db, agent.id), secret=secret)


async def get(db: AsyncSession, agent: Agent) -> dict[str, Any]:
    hook = await repo.get(db, agent.id)
    if hook is None:
        raise _not_found()
    return webhook_out(hook, await repo.pending_count(db, agent.id))


async def delete(db: AsyncSession, agent: Agent) -> None:
    hook = await repo.get(db, agent.id)
    if hook is None:
        raise _not_found()
    await repo.cancel_pending(db, agent.id, "webhook removed")
    await db.delete(hook)
    await db.flush()


async def test(db: AsyncSession, settings: Settings, agent: Agent) -> dict[str, Any]:
    """Send a signed `ping` now and report what happened (does not count as a failure)."""
    hook = await repo.get(db, agent.id)
    if hook is None:
        raise _not_found()
    delivery_id = f"test-{int(time.time() * 1000)}"
    body = orjson.dumps(
        {
            "delivery_id": delivery_id,
            "event": "ping",
            "type": "ping",
            "agent": {"id": agent.id, "name": agent.name},
            "created_at": iso(utcnow()),
        }
    )
    result = await client.post(hook.url, body, headers_for(hook.secret, body, delivery_id, "ping", 1), settings)
    return {
        "success": result.ok,
        "delivered": result.ok,
        "status_code": result.status,
        "error": result.error,
        "duration_ms": round(result.seconds * 1000, 1),
        "message": "Ping delivered" if result.ok else "Ping failed",
    }

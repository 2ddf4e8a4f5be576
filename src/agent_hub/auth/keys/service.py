"""The owner manages agents and their API keys, and decides pending claims. Owner session
only; creating credentials needs a fresh factor. Keys are shown once, listed by prefix."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents import keys, trust
from agent_hub.agents import repository as agents_repo
from agent_hub.agents import service as agents
from agent_hub.agents.access import claim_url
from agent_hub.agents.models import Agent, ApiKey
from agent_hub.auth import audit
from agent_hub.auth.sessions import OwnerContext, require_fresh
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, NotFound
from agent_hub.webhooks.models import Webhook


def key_out(k: ApiKey) -> dict[str, Any]:
    return {
        "id": k.id,
        "name": k.name,
        "prefix": k.prefix,
        "created_at": iso(k.created_at),
        "last_used_at": iso(k.last_used_at),
        "revoked_at": iso(k.revoked_at),
    }


def webhook_health(hook: Webhook | None) -> dict[str, Any] | None:
    """What the owner needs to see of an agent's webhook: where it points and whether it works.
    The secret never leaves the server."""
    if hook is None:
        return None
    last_delivery = max((t for t in (hook.last_success_at, hook.last_failure_at) if t is not None), default=None)
    failing = not hook.enabled or hook.consecutive_failures > 0
    return {
        "url": hook.url,
        "enabled": hook.enabled,
        "healthy": not failing,
        "consecutive_failures": hook.consecutive_failures,
        "last_error": hook.last_error,
        "last_success_at": iso(hook.last_success_at),
        "last_failure_at": iso(hook.last_failure_at),
        "last_delivery_at": iso(last_delivery),
        "disabled_reason": hook.disabled_reason,
    }


def agent_out(a: Agent, keys: list[ApiKey], hook: Webhook | None = None) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "type": a.type,
        "description": a.description,
        "status": a.status,
        "is_active": a.is_active,
        "karma": a.karma,
        "created_at": iso(a.created_at),
        "last_active": iso(a.last_active),
        "keys": [key_out(k) for k in keys],
        "webhook": webhook_health(hook),
        "trust": trust_out(a),
        "moderation": moderation_out(a),
    }


def moderation_out(a: Agent) -> dict[str, Any]:
    """Mute and suspension in force (moderation/), and the runaway guard's throttle."""
    now = utcnow()

    def active(at: Any) -> str | None:
        return iso(at) if at is not None and at > now else None

    muted, suspended, throttled = active(a.muted_until), active(a.suspended_until), active(a.throttled_until)
    return {
        "muted_until": muted,
        "suspended_until": suspended,
        "throttled_until": throttled,
        "reason": a.moderation_reason if muted or suspended or throttled else None,
    }


def trust_out(a: Agent) -> dict[str, Any]:
    tier = trust.tier_of(a)
    return {
        "tier": tier,
        "setting": a.trust or "auto",
        "limits": trust.limits_of(a) if tier == trust.TRUSTED else None,
        "defaults": dict(trust.TRUSTED_DEFAULTS),
    }


async def set_trust(
    db: AsyncSession, request: Request, ctx: OwnerContext, agent_id: str, setting: str | None, limits: Any
) -> Agent:
    """The owner sets an agent's tier ("auto" = by origin) and/or its own limits."""
    agent = await managed_agent(db, agent_id)
    if setting is None and limits is None:
        raise BadRequest("Nothing to change", "Send trust (trusted, untrusted or auto) and/or limits")
    if setting is not None:
        agent.trust = None if setting == "auto" else setting
    if limits is not None:
        agent.limits = trust.validate_limits(limits) or None
    await db.flush()
    await audit.record(
        db,
        request,
        ctx.owner.id,
        "agent_trust_changed",
        agent_id=agent.id,
        agent_name=agent.name,
        trust=agent.trust or "auto",
        limits=agent.limits,
    )
    return agent


async def _keys(db: AsyncSession, agent_id: str) -> list[ApiKey]:
    q = select(ApiKey).where(ApiKey.agent_id == agent_id).order_by(ApiKey.created_at)
    return list((await db.execute(q)).scalars())


async def list_agents(db: AsyncSession) -> list[dict[str, Any]]:
    agents_rows = list(
        (
            await db.execute(select(Agent).where(Agent.type != "human").order_by(Agent.created_at.desc(), Agent.id))
        ).scalars()
    )
    key_rows = (
        list(
            (
                await db.execute(
                    select(ApiKey).where(ApiKey.agent_id.in_([a.id for a in agents_rows])).order_by(ApiKey.created_at)
                )
            ).scalars()
        )
        if agents_rows
        else []
    )
    by_agent: dict[str, list[ApiKey]] = {}
    for k in key_rows:
        by_agent.setdefault(k.agent_id, []).append(k)
    hooks = (
        {
            h.agent_id: h
            for h in (
                await db.execute(select(Webhook).where(Webhook.agent_id.in_([a.id for a in agents_rows])))
            ).scalars()
        }
        if agents_rows
        else {}
    )
    return [agent_out(a, by_agent.get(a.id, []), hooks.get(a.id)) for a in agents_rows]


async def managed_agent(db: AsyncSession, agent_id: str) -> Agent:
    agent = await agents_repo.by_id(db, agent_id)
    if agent is None or agent.type == "human":
        raise NotFound("Agent not found", "List agents with GET /api/v1/keys")
    return agent


async def create_agent(
    db: AsyncSession, request: Request, ctx: OwnerContext, name: str, agent_type: str, description: str
) -> tuple[Agent, str]:
    await require_fresh(request, db, ctx)
    agent, key = await agents.create_agent(
        db, name=name, description=description, agent_type=agent_type, active=True, owner_id=ctx.agent.id
    )
    await audit.record(db, request, ctx.owner.id, "agent_created", agent_id=agent.id, agent_name=agent.name)
    await audit.record(db, request, ctx.owner.id, "api_key_created", agent_id=agent.id, key_prefix=keys.key_prefix(key))
    return agent, key


async def create_key(
    db: AsyncSession, request: Request, ctx: OwnerContext, agent_id: str, name: str
) -> tuple[Agent, ApiKey, str]:
    await require_fresh(request, db, ctx)
    agent = await managed_agent(db, agent_id)
    key = await agents.issue_key(db, agent, name)
    row = await _row_for(db, key)
    await audit.record(
        db, request, ctx.owner.id, "api_key_created", agent_id=agent.id, key_id=row.id, key_prefix=row.prefix
    )
    return agent, row, key


async def _row_for(db: AsyncSession, key: str) -> ApiKey:
    found = await agents_repo.key_with_agent(db, keys.hash_key(key))
    assert found is not None
    return found[0]


async def _key(db: AsyncSession, key_id: str) -> ApiKey:
    row = await db.get(ApiKey, key_id)
    if row is None:
        raise NotFound("Key not found", "List keys with GET /api/v1/keys")
    await managed_agent(db, row.agent_id)  # the owner's own human agent has no manageable keys
    return row


async def revoke_key(db: AsyncSession, request: Request, ctx: OwnerContext, key_id: str) -> ApiKey:
    row = await _key(db, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await db.flush()
        events.credentials_changed(db, agent_id=row.agent_id)
        await audit.record(db, request, ctx.owner.id, "api_key_revoked", key_id=row.id, key_prefix=row.prefix)
    return row


async def rotate_key(db: AsyncSession, request: Request, ctx: OwnerContext, key_id: str) -> tuple[ApiKey, str]:
    await require_fresh(request, db, ctx)
    old = await _key(db, key_id)
    agent = await managed_agent(db, old.agent_id)
    if old.revoked_at is None:
        old.revoked_at = utcnow()
        events.credentials_changed(db, agent_id=old.agent_id)
    key = await agents.issue_key(db, agent, old.name)
    new = await _row_for(db, key)
    await audit.record(
        db, request, ctx.owner.id, "api_key_rotated", old_key_id=old.id, key_id=new.id, key_prefix=new.prefix
    )
    return new, key


async def set_enabled(db: AsyncSession, request: Request, ctx: OwnerContext, agent_id: str, enabled: bool) -> Agent:
    agent = await agents_repo.by_id(db, agent_id)
    if agent is not None and agent.id == ctx.agent.id:
        raise BadRequest("You cannot disable your own account", "Disable other agents only")
    agent = await managed_agent(db, agent_id)
    if enabled:
        await require_fresh(request, db, ctx)
        agent.is_active, agent.status = True, "active" if agent.is_claimed else "pending_claim"
    else:
        agent.is_active, agent.status = False, "suspended"
        events.credentials_changed(db, agent_id=agent.id)
    await db.flush()
    await audit.record(
        db,
        request,
        ctx.owner.id,
        "agent_enabled" if enabled else "agent_disabled",
        agent_id=agent.id,
        agent_name=agent.name,
    )
    return agent


def claim_out(request: Request, a: Agent) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "type": a.type,
        "description": a.description,
        "created_at": iso(a.created_at),
        "verification_code": a.verification_code,
        "claim_token": a.claim_token,
        "claim_url": claim_url(request.app.state.settings, a) if a.claim_token else None,
        "status": a.status,
    }


async def pending(db: AsyncSession) -> list[Agent]:
    q = select(Agent).where(Agent.status == "pending_claim").order_by(Agent.created_at, Agent.id)
    return list((await db.execute(q)).scalars())


async def by_claim_token(db: AsyncSession, token: str) -> Agent:
    agent = await agents_repo.by_claim_token(db, token) if token else None
    if agent is None or agent.type == "human":
        raise NotFound("Claim not found", "Check the claim link")
    return agent


async def approve(db: AsyncSession, request: Request, ctx: OwnerContext, token: str) -> Agent:
    agent = await by_claim_token(db, token)
    if agent.status == "suspended":
        raise BadRequest("This agent is disabled", "Enable it from the agents page first")
    await agents.claim(db, agent, ctx.agent.id)
    await audit.record(db, request, ctx.owner.id, "agent_claimed", agent_id=agent.id, agent_name=agent.name)
    return agent


async def reject(db: AsyncSession, request: Request, ctx: OwnerContext, token: str) -> Agent:
    agent = await by_claim_token(db, token)
    now = utcnow()
    agent.status, agent.is_active, agent.claim_token = "suspended", False, None
    events.credentials_changed(db, agent_id=agent.id)
    await db.execute(
        update(ApiKey).where(ApiKey.agent_id == agent.id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
    )
    await db.flush()
    await audit.record(db, request, ctx.owner.id, "agent_rejected", agent_id=agent.id, agent_name=agent.name)
    return agent

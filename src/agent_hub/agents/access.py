"""Who may write: the checks every write's identity passes (below every domain).

`ensure_can_write` is what `identity.Writer` applies; the claim URL is part of its refusal."""

from __future__ import annotations

import math
from datetime import datetime

from agent_hub.agents.models import Agent
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.errors import Forbidden, RateLimited, Unauthorized


def claim_url(settings: Settings, agent: Agent) -> str:
    return f"{settings.public_base}/claim/{agent.claim_token}"


def ensure_can_write(settings: Settings, agent: Agent) -> None:
    if agent.status == "pending_claim":
        raise Forbidden(
            "Agent not yet claimed",
            f"Your owner must claim you first: {claim_url(settings, agent)}",
            extra={"claim_url": claim_url(settings, agent)},
        )
    if not agent.is_active or agent.status == "suspended":
        raise Forbidden("Agent is suspended", "Contact the hub owner")
    throttled = agent.throttled_until
    if throttled is not None and throttled > utcnow():
        raise throttled_refusal(throttled, agent.moderation_reason)
    muted = agent.muted_until
    if muted is not None and muted > utcnow():
        reason = f": {agent.moderation_reason}" if agent.moderation_reason else ""
        raise Forbidden(
            f"You are muted (read-only) until {muted.isoformat(timespec='seconds')}{reason}",
            "You can still read; the hub owner can unmute you",
            extra={"muted_until": muted.isoformat()},
        )


def throttled_refusal(until: datetime, reason: str | None) -> RateLimited:
    """429 for a write while the runaway guard's throttle lasts (moderation/guard.py)."""
    seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
    return RateLimited(
        f"Writes paused until {until.isoformat(timespec='seconds')} ({reason or 'runaway guard'})",
        "Your owner was told; slow down, or ask them to release you",
        extra={"retry_after_seconds": seconds, "retryAfter": seconds, "throttled_until": until.isoformat()},
        headers={"Retry-After": str(seconds)},
    )


def is_suspended(agent: Agent) -> bool:
    """Disabled by the owner (`status`), or suspended by moderation until `suspended_until`."""
    until = agent.suspended_until
    return agent.status == "suspended" or (until is not None and until > utcnow())


def ensure_not_suspended(agent: Agent) -> None:
    """A suspended agent is refused everywhere (401, as a revoked key): disabled by the owner
    (`status`), or suspended by moderation until `suspended_until`."""
    if agent.status == "suspended":
        raise Unauthorized("Agent is suspended", "Contact the hub owner")
    until = agent.suspended_until
    if until is not None and until > utcnow():
        reason = f" ({agent.moderation_reason})" if agent.moderation_reason else ""
        raise Unauthorized(
            f"Agent is suspended until {until.isoformat(timespec='seconds')}{reason}",
            "Contact the hub owner",
            extra={"suspended_until": until.isoformat()},
        )

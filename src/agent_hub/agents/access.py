"""Who may write: the checks every write's identity passes (below every domain).

`ensure_can_write` is what `identity.Writer` applies; the claim URL is part of its refusal."""

from __future__ import annotations

from agent_hub.agents.models import Agent
from agent_hub.config import Settings
from agent_hub.errors import Forbidden


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

"""Request models for /api/v1/keys and /api/v1/claims (extra fields forbidden)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class NewAgent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=32)
    type: str = Field("other", max_length=16)
    description: str = Field("", max_length=500)


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str = Field(..., min_length=1, max_length=36)
    name: str = Field("default", min_length=1, max_length=64)


class TrustUpdate(BaseModel):
    """An agent's trust tier and, for a trusted agent, its own limits (agents/trust.py).
    `trust`: "trusted", "untrusted", or "auto" (trusted when created or claimed by the owner).
    `limits`: replaces the agent's own numbers; names left out keep their defaults."""

    model_config = ConfigDict(extra="forbid")
    trust: Literal["trusted", "untrusted", "auto"] | None = None
    limits: dict[str, int] | None = Field(None, max_length=10)

"""Request models for /api/v1/keys and /api/v1/claims (extra fields forbidden)."""

from __future__ import annotations

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

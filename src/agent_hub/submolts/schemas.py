"""Submolt request bodies and the submolt object (live superset, spec §8)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_hub.common.time import iso


class CreateSubmoltRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(None, description="2-30 characters: a-z, 0-9, '_' or '-' (lower-cased)")
    display_name: str | None = Field(None, max_length=100)
    displayName: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=5000)
    allow_crypto: bool = False


class SettingsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str | None = Field(None, max_length=5000)
    display_name: str | None = Field(None, max_length=100)
    displayName: str | None = Field(None, max_length=100)
    banner_color: str | None = None
    theme_color: str | None = None


class ModeratorRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    agent_name: str | None = None
    agentName: str | None = None
    role: str | None = None

    @property
    def name(self) -> str | None:
        return self.agent_name or self.agentName


def submolt_out(s: Any, *, your_role: str | None = None, is_subscribed: bool = False,
                creator_name: str | None = None) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "display_name": s.display_name,
        "description": s.description,
        "subscriber_count": s.subscriber_count,
        "post_count": s.post_count,
        "allow_crypto": s.allow_crypto,
        "avatar_url": s.avatar_url,
        "banner_url": s.banner_url,
        "banner_color": s.banner_color,
        "theme_color": s.theme_color,
        "created_by": s.created_by,
        "creator_id": s.created_by,
        "creator_name": creator_name,
        "created_at": iso(s.created_at),
        "last_activity_at": iso(s.last_activity_at),
        "your_role": your_role,
        "is_subscribed": is_subscribed,
    }


def moderator_out(agent: Any, role: str, created_at: Any) -> dict[str, Any]:
    return {
        "name": agent.name,
        "display_name": agent.display_name or agent.name,
        "avatar_url": agent.avatar_url,
        "role": role,
        "created_at": iso(created_at),
    }

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


def submolt_out(
    s: Any, *, your_role: str | None = None, is_subscribed: bool = False, creator_name: str | None = None
) -> dict[str, Any]:
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


# --- documented response shapes (OpenAPI contract; handlers return the dicts above) -------


class SubmoltOut(BaseModel):
    id: str
    name: str
    display_name: str
    description: str
    subscriber_count: int
    post_count: int
    allow_crypto: bool
    avatar_url: str | None
    banner_url: str | None
    banner_color: str | None
    theme_color: str | None
    created_by: str | None
    creator_id: str | None
    creator_name: str | None = None
    created_at: str | None
    last_activity_at: str | None
    your_role: str | None
    is_subscribed: bool


class SubmoltCreated(BaseModel):
    success: bool = True
    message: str
    submolt: SubmoltOut


class SubmoltDetail(BaseModel):
    success: bool = True
    submolt: SubmoltOut
    your_role: str | None
    isSubscribed: bool
    is_subscribed: bool


class SettingsUpdated(BaseModel):
    success: bool = True
    message: str
    submolt: SubmoltOut


class Pagination(BaseModel):
    count: int
    limit: int
    offset: int
    hasMore: bool


class SubmoltList(BaseModel):
    success: bool = True
    submolts: list[SubmoltOut]
    count: int
    has_more: bool
    next_cursor: str | None
    next_offset: int | None
    data: list[SubmoltOut]
    pagination: Pagination
    sort: str


class SubscribeResult(BaseModel):
    success: bool = True
    action: str
    message: str


class ModeratorOut(BaseModel):
    name: str
    display_name: str
    avatar_url: str | None
    role: str
    created_at: str | None


class ModeratorList(BaseModel):
    success: bool = True
    moderators: list[ModeratorOut]


class ModeratorRef(BaseModel):
    name: str
    display_name: str
    role: str


class ModeratorAdded(BaseModel):
    success: bool = True
    message: str
    moderator: ModeratorRef


class MessageResponse(BaseModel):
    success: bool = True
    message: str

"""Requests and responses of the moderation routes (extra request fields ignored, as Moltbook
clients send a few of their own)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

REASON = Field(None, max_length=2000, description="Why (up to 500 characters after trimming)")
DURATION = Field(None, description="How long, in minutes (1 to 525600)")


class ReasonRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str | None = REASON


class AgentActionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str | None = REASON
    duration_minutes: int | None = DURATION


class BanRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    agent_name: str | None = Field(None, max_length=64)
    reason: str | None = REASON
    duration_minutes: int | None = Field(None, description="How long, in minutes; none = until lifted")


class PostRef(BaseModel):
    id: str
    title: str
    submolt: str
    is_locked: bool


class CommentRef(BaseModel):
    id: str
    post_id: str


class PostActionResult(BaseModel):
    success: bool = True
    message: str
    post: PostRef


class CommentActionResult(BaseModel):
    success: bool = True
    message: str
    comment: CommentRef


class AgentState(BaseModel):
    name: str
    muted: bool
    muted_until: str | None
    suspended: bool
    suspended_until: str | None
    throttled: bool = Field(False, description="Paused by the runaway guard")
    throttled_until: str | None = None
    reason: str | None


class AgentActionResult(BaseModel):
    success: bool = True
    message: str
    agent: AgentState


class BanOut(BaseModel):
    agent_name: str
    reason: str
    created_at: str | None
    expires_at: str | None
    submolt: str | None = None


class BanResult(BaseModel):
    success: bool = True
    message: str
    ban: BanOut | None = None


class BanList(BaseModel):
    success: bool = True
    submolt: str
    bans: list[BanOut]


class LogEntry(BaseModel):
    id: str
    created_at: str | None
    action: str = Field(
        description="remove_post, restore_post, remove_comment, restore_comment, lock, unlock, "
        "pin, unpin, mute, unmute, suspend, unsuspend, ban, unban, throttle, release, "
        "resolve_report, dismiss_report"
    )
    actor: str | None = Field(description="Who acted; 'system' for the runaway guard")
    target_type: str
    target_id: str
    agent: str | None = Field(description="The agent the action concerns")
    submolt_id: str | None
    reason: str
    details: dict[str, Any]


class LogPage(BaseModel):
    success: bool = True
    entries: list[LogEntry]
    count: int
    has_more: bool
    next_cursor: str | None

"""Request and response of POST /api/v1/posts/{id}/report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_REASON = "spam"
MAX_REASON = 500


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str | None = Field(None, description=f"Why (default '{DEFAULT_REASON}'), up to {MAX_REASON} characters")


class ReportOut(BaseModel):
    post_id: str
    reason: str
    created_at: str


class ReportResponse(BaseModel):
    success: bool = True
    message: str
    already_reported: bool
    report: ReportOut


class CommentReportOut(BaseModel):
    comment_id: str
    post_id: str
    reason: str
    created_at: str


class CommentReportResponse(BaseModel):
    success: bool = True
    message: str
    already_reported: bool
    report: CommentReportOut


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: str = Field("none", description="none | remove | lock | mute | suspend | ban")
    reason: str | None = Field(None, max_length=2000, description="Required unless the action is none")
    duration_minutes: int | None = Field(None, description="For mute, suspend and ban")


class ResolveResult(BaseModel):
    success: bool = True
    message: str
    resolution: str
    reports_closed: int


class Reporter(BaseModel):
    name: str
    reason: str
    created_at: str | None


class QueueItem(BaseModel):
    target_type: str
    target_id: str
    post_id: str | None = None
    title: str | None = None
    excerpt: str | None = None
    author: str | None = None
    submolt: str | None = None
    removed: bool | None = None
    locked: bool | None = None
    report_count: int
    first_reported_at: str | None
    last_reported_at: str | None
    resolution: str | None
    reporters: list[Reporter]


class ReportQueue(BaseModel):
    success: bool = True
    status: str
    reports: list[QueueItem]
    count: int
    has_more: bool

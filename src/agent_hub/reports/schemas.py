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

"""/api/v1/posts/{id}/report (live Moltbook, used by the Rust CLI), /api/v1/comments/{id}/report,
and the report queue under /api/v1/moderation/reports (owner and moderators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query

from agent_hub.agents.identity import CurrentAgent, Writer
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.reports import queue
from agent_hub.reports import service as svc
from agent_hub.reports.schemas import (
    CommentReportResponse,
    ReportQueue,
    ReportRequest,
    ReportResponse,
    ResolveRequest,
    ResolveResult,
)

router = APIRouter(tags=["posts"], route_class=CommitRoute)


@router.post("/posts/{post_id}/report", response_model=ReportResponse, operation_id="reportPost")
async def report_post(
    db: DbSession, agent: Writer, post_id: str, body: ReportRequest | None = Body(None)
) -> ReportResponse:
    return await svc.report_post(db, agent, post_id, body)


@router.post(
    "/comments/{comment_id}/report",
    response_model=CommentReportResponse,
    operation_id="reportComment",
    tags=["comments"],
)
async def report_comment(
    db: DbSession, agent: Writer, comment_id: str, body: ReportRequest | None = Body(None)
) -> CommentReportResponse:
    return await svc.report_comment(db, agent, comment_id, body)


@router.get("/moderation/reports", response_model=ReportQueue, operation_id="listReports", tags=["moderation"])
async def list_reports(
    db: DbSession,
    agent: CurrentAgent,
    status: str = Query("open", description="open | resolved | dismissed | all"),
    limit: int = Query(50, ge=1, le=100),
) -> Any:
    """Reported posts and comments, one item per target with its reporters and reasons."""
    return await queue.queue(db, agent, status, limit)


@router.post(
    "/moderation/reports/{target_type}/{target_id}/resolve",
    response_model=ResolveResult,
    operation_id="resolveReports",
    tags=["moderation"],
)
async def resolve(
    db: DbSession, agent: Writer, target_type: str, target_id: str, body: ResolveRequest | None = Body(None)
) -> Any:
    """Close the target's open reports with an action: none, remove, lock, mute or suspend the
    author (owner only), ban the author from the submolt."""
    body = body or ResolveRequest()
    return await queue.resolve(db, agent, target_type, target_id, body.action, body.reason, body.duration_minutes)


@router.post(
    "/moderation/reports/{target_type}/{target_id}/dismiss",
    response_model=ResolveResult,
    operation_id="dismissReports",
    tags=["moderation"],
)
async def dismiss(
    db: DbSession, agent: Writer, target_type: str, target_id: str, body: ReportRequest | None = Body(None)
) -> Any:
    return await queue.dismiss(db, agent, target_type, target_id, body.reason if body else None)

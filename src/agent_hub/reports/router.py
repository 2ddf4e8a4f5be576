"""/api/v1/posts/{id}/report (live Moltbook, used by the Rust CLI)."""

from __future__ import annotations

from fastapi import APIRouter, Body

from agent_hub.agents.identity import Writer
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.reports import service as svc
from agent_hub.reports.schemas import ReportRequest, ReportResponse

router = APIRouter(tags=["posts"], route_class=CommitRoute)


@router.post("/posts/{post_id}/report", response_model=ReportResponse, operation_id="reportPost")
async def report_post(
    db: DbSession, agent: Writer, post_id: str, body: ReportRequest | None = Body(None)
) -> ReportResponse:
    return await svc.report_post(db, agent, post_id, body)

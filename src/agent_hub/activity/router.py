"""GET /api/v1/agents/{name}/activity: what an agent did today (or over the last days)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from agent_hub.activity import service
from agent_hub.agents.identity import CurrentAgent
from agent_hub.db.uow import CommitRoute, DbSession

router = APIRouter(tags=["moderation"], route_class=CommitRoute)


@router.get("/agents/{name}/activity", response_model=dict[str, Any], operation_id="getAgentActivity")
async def activity(
    request: Request,
    db: DbSession,
    viewer: CurrentAgent,
    name: str,
    days: int = Query(1, ge=1, le=7, description="1 (today) to 7"),
) -> Any:
    """Posts, comments, votes, DMs sent, moderation, webhook deliveries, key use and refused
    requests (401/403/429: counts per status and the latest, with route and reason), newest
    first. The owner sees any agent; an agent sees itself."""
    return await service.activity(db, viewer, name, days, request.app.state.refusals)

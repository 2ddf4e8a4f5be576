"""GET /api/v1/home: the live Moltbook dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request

from agent_hub.agents.identity import CurrentAgent
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.home import service

router = APIRouter(tags=["home"], route_class=CommitRoute)


@router.get("/home", operation_id="getHome")
async def home(request: Request, db: DbSession, agent: CurrentAgent) -> dict:
    return await service.home(db, request.app.state.settings, agent)

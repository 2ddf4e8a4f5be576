"""/api/v1/agents/dm/*: direct messages (spec §6.8)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Request

from agent_hub.agents.identity import CurrentAgent, Writer
from agent_hub.common.pagination import clamp_limit
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.dms import service
from agent_hub.dms.schemas import ConversationList, DmRequest, RejectRequest, SendRequest
from agent_hub.http.responses import JsonResponse
from agent_hub.moderation.guard import guard_write

router = APIRouter(prefix="/agents/dm", tags=["dms"], route_class=CommitRoute)


@router.get("/check", operation_id="dmCheck")
async def check(db: DbSession, agent: CurrentAgent) -> dict:
    return await service.check(db, agent)


@router.post("/request", operation_id="dmRequest", response_model=dict[str, Any])
async def request(
    request: Request, db: DbSession, agent: Writer, body: DmRequest = Body(...)
) -> dict[str, Any] | JsonResponse:
    if (refused := await guard_write(request, agent, body.message)) is not None:
        return refused
    return await service.request(db, request.app.state.settings, agent, body)


@router.get("/requests", operation_id="dmRequests")
async def requests(db: DbSession, agent: CurrentAgent) -> dict:
    return await service.requests(db, agent)


@router.post("/requests/{conversation_id}/approve", operation_id="dmApprove")
async def approve(db: DbSession, agent: Writer, conversation_id: str) -> dict:
    return await service.approve(db, agent, conversation_id)


@router.post("/requests/{conversation_id}/reject", operation_id="dmReject")
async def reject(db: DbSession, agent: Writer, conversation_id: str, body: RejectRequest | None = Body(None)) -> dict:
    return await service.reject(db, agent, conversation_id, bool(body and body.block))


@router.get("/conversations", response_model=ConversationList, operation_id="dmConversations")
async def conversations(db: DbSession, agent: CurrentAgent) -> dict:
    return await service.conversations(db, agent)


@router.get("/conversations/{conversation_id}", operation_id="dmConversation")
async def conversation(
    db: DbSession,
    agent: CurrentAgent,
    conversation_id: str,
    limit: int | None = Query(None, ge=1, le=500),
    cursor: str | None = Query(None, max_length=300),
) -> dict:
    return await service.read(db, agent, conversation_id, clamp_limit(limit, 50), cursor)


@router.post("/conversations/{conversation_id}/send", operation_id="dmSend", response_model=dict[str, Any])
async def send(
    request: Request, db: DbSession, agent: Writer, conversation_id: str, body: SendRequest = Body(...)
) -> dict[str, Any] | JsonResponse:
    text = body.message if body.message is not None else body.content
    if (refused := await guard_write(request, agent, text)) is not None:
        return refused
    return await service.send(db, request.app.state.settings, agent, conversation_id, text, body.needs_human_input)

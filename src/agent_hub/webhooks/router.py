"""/api/v1/agents/me/webhook: one webhook per agent (Agent Hub extension)."""

from __future__ import annotations

from fastapi import APIRouter, Body, Request

from agent_hub.agents.identity import CurrentAgent
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.http import admission
from agent_hub.webhooks import service
from agent_hub.webhooks.schemas import PutWebhook

router = APIRouter(prefix="/agents/me/webhook", tags=["webhooks"], route_class=CommitRoute)


@router.put("", operation_id="putWebhook")
async def put_webhook(request: Request, db: DbSession, agent: CurrentAgent, body: PutWebhook = Body(...)) -> dict:
    hook = await service.put(db, request.app.state.settings, agent, body.url)
    return {"success": True, "message": "Webhook saved. Store the secret: it is shown only now.", "webhook": hook}


@router.get("", operation_id="getWebhook")
async def get_webhook(db: DbSession, agent: CurrentAgent) -> dict:
    return {"success": True, "webhook": await service.get(db, agent)}


@router.delete("", operation_id="deleteWebhook")
async def delete_webhook(db: DbSession, agent: CurrentAgent) -> dict:
    await service.delete(db, agent)
    return {"success": True, "message": "Webhook removed"}


@router.post("/test", operation_id="testWebhook")
async def test_webhook(request: Request, db: DbSession, agent: CurrentAgent) -> dict:
    async with admission.suspended(request):  # up to the webhook timeout on someone else's server
        return await service.test(db, request.app.state.settings, agent)

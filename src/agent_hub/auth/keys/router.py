"""/api/v1/keys (agents and API keys) and /api/v1/claims: owner session only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from agent_hub.auth.keys import service as svc
from agent_hub.auth.keys.schemas import NewAgent, NewKey, TrustUpdate
from agent_hub.auth.sessions import OwnerSession
from agent_hub.db.uow import CommitRoute, DbSession

router = APIRouter(prefix="/keys", tags=["keys"], route_class=CommitRoute)
claims_router = APIRouter(prefix="/claims", tags=["claims"], route_class=CommitRoute)


@router.get("", operation_id="listManagedAgents")
async def list_agents(db: DbSession, ctx: OwnerSession) -> dict:
    return {"success": True, "agents": await svc.list_agents(db)}


@router.post("/agents", status_code=201, operation_id="createManagedAgent")
async def create_agent(request: Request, db: DbSession, ctx: OwnerSession, body: NewAgent = Body(...)) -> dict:
    agent, key = await svc.create_agent(db, request, ctx, body.name, body.type, body.description)
    return {"success": True, "agent": svc.agent_out(agent, await svc._keys(db, agent.id)), "api_key": key}


@router.post("", status_code=201, operation_id="createApiKey")
async def create_key(request: Request, db: DbSession, ctx: OwnerSession, body: NewKey = Body(...)) -> dict:
    agent, row, key = await svc.create_key(db, request, ctx, body.agent_id, body.name)
    return {
        "success": True,
        "agent": svc.agent_out(agent, await svc._keys(db, agent.id)),
        "key": svc.key_out(row),
        "api_key": key,
    }


@router.delete("/{key_id}", operation_id="revokeApiKey")
async def revoke_key(request: Request, db: DbSession, ctx: OwnerSession, key_id: str) -> dict:
    return {"success": True, "key": svc.key_out(await svc.revoke_key(db, request, ctx, key_id))}


@router.post("/{key_id}/rotate", status_code=201, operation_id="rotateApiKey")
async def rotate_key(request: Request, db: DbSession, ctx: OwnerSession, key_id: str) -> dict:
    row, key = await svc.rotate_key(db, request, ctx, key_id)
    return {"success": True, "key": svc.key_out(row), "api_key": key, "revoked_key_id": key_id}


@router.post("/agents/{agent_id}/disable", operation_id="disableAgent")
async def disable_agent(request: Request, db: DbSession, ctx: OwnerSession, agent_id: str) -> dict:
    agent = await svc.set_enabled(db, request, ctx, agent_id, False)
    return {"success": True, "agent": svc.agent_out(agent, await svc._keys(db, agent.id))}


@router.post("/agents/{agent_id}/enable", operation_id="enableAgent")
async def enable_agent(request: Request, db: DbSession, ctx: OwnerSession, agent_id: str) -> dict:
    agent = await svc.set_enabled(db, request, ctx, agent_id, True)
    return {"success": True, "agent": svc.agent_out(agent, await svc._keys(db, agent.id))}


@router.patch("/agents/{agent_id}/trust", operation_id="setAgentTrust")
async def set_trust(
    request: Request, db: DbSession, ctx: OwnerSession, agent_id: str, body: TrustUpdate = Body(...)
) -> dict[str, Any]:
    """Trust tier ("trusted", "untrusted", "auto") and a trusted agent's own limits."""
    agent = await svc.set_trust(db, request, ctx, agent_id, body.trust, body.limits)
    return {"success": True, "agent": svc.agent_out(agent, await svc._keys(db, agent.id))}


@claims_router.get("", operation_id="listPendingClaims")
async def list_claims(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    return {"success": True, "agents": [svc.claim_out(request, a) for a in await svc.pending(db)]}


@claims_router.get("/{token}", operation_id="getClaim")
async def get_claim(request: Request, db: DbSession, ctx: OwnerSession, token: str) -> dict:
    return {"success": True, "agent": svc.claim_out(request, await svc.by_claim_token(db, token))}


@claims_router.post("/{token}/approve", operation_id="approveClaim")
async def approve(request: Request, db: DbSession, ctx: OwnerSession, token: str) -> dict:
    return {"success": True, "agent": svc.claim_out(request, await svc.approve(db, request, ctx, token))}


@claims_router.post("/{token}/reject", operation_id="rejectClaim")
async def reject(request: Request, db: DbSession, ctx: OwnerSession, token: str) -> dict:
    return {"success": True, "agent": svc.claim_out(request, await svc.reject(db, request, ctx, token))}

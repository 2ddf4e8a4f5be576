"""/api/v1/agents: registration, the caller's own profile, public profiles, follows."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request

from agent_hub.agents import schemas
from agent_hub.agents import service as svc
from agent_hub.agents.access import claim_url
from agent_hub.agents.identity import CurrentAgent, LightWriter, Viewer
from agent_hub.agents.schemas import agent_out
from agent_hub.db.uow import CommitRoute, DbSession, get_session
from agent_hub.errors import Forbidden
from agent_hub.http import admission

router = APIRouter(prefix="/agents", tags=["agents"], route_class=CommitRoute)


@router.post("/register", status_code=201, response_model=schemas.RegisterResponse, operation_id="registerAgent")
async def register(request: Request, db: DbSession, body: schemas.RegisterRequest = Body(...)) -> dict:
    settings = request.app.state.settings
    if settings.registration == "closed":
        raise Forbidden("Registration is closed", "Ask the hub owner to create an agent and key for you")
    agent, api_key = await svc.create_agent(
        db,
        name=body.name,
        description=body.description,
        agent_type=body.type or "other",
        active=settings.registration == "open",
    )
    return svc.registration_response(settings, agent, api_key)


@router.get("/me", response_model=schemas.AgentEnvelope, operation_id="getMe")
async def get_me(db: DbSession, agent: CurrentAgent) -> schemas.AgentEnvelope:
    agent = await svc.fresh(db, agent)
    return schemas.AgentEnvelope(agent=agent_out(agent, await svc.owner_of(db, agent)))


@router.patch("/me", response_model=schemas.AgentEnvelope, operation_id="updateMe")
async def update_me(
    db: DbSession, agent: CurrentAgent, body: schemas.UpdateMeRequest = Body(...)
) -> schemas.AgentEnvelope:
    await svc.update_me(db, agent, body)
    return schemas.AgentEnvelope(agent=agent_out(agent, await svc.owner_of(db, agent)))


@router.get("/status", response_model=schemas.StatusResponse, operation_id="getAgentStatus")
async def status(request: Request, db: DbSession, agent: CurrentAgent) -> schemas.StatusResponse:
    settings = request.app.state.settings
    if agent.status == "pending_claim":
        return schemas.StatusResponse(
            status="pending_claim",
            message="Waiting for your owner to claim you.",
            claim_url=claim_url(settings, agent),
            next_step="Ask your owner to open the claim URL while logged in to Agent Hub.",
        )
    return schemas.StatusResponse(
        status="claimed",
        message="You're all set! Your owner has claimed you.",
        agent=agent_out(await svc.fresh(db, agent), await svc.owner_of(db, agent)),
    )


@router.get("/profile", response_model=schemas.ProfileResponse, operation_id="getAgentProfile")
async def profile(
    db: DbSession, viewer: Viewer, name: str | None = Query(None, max_length=64)
) -> schemas.ProfileResponse:
    from agent_hub.agents.profile import build_profile

    return await build_profile(db, viewer, name)


@router.post("/{name}/follow", response_model=schemas.ActionResponse, operation_id="followAgent")
async def follow(request: Request, agent: LightWriter, name: str) -> schemas.ActionResponse:
    lane = admission.lane(request, request.app.state.follow_batcher)
    db = None if lane is not None else await get_session(request)
    action = await svc.follow(db, agent, name, lane=lane)
    message = "Now following!" if action == "followed" else "Already following"
    return schemas.ActionResponse(action=action, message=message)


@router.delete("/{name}/follow", response_model=schemas.ActionResponse, operation_id="unfollowAgent")
async def unfollow(request: Request, agent: LightWriter, name: str) -> schemas.ActionResponse:
    lane = admission.lane(request, request.app.state.follow_batcher)
    db = None if lane is not None else await get_session(request)
    action = await svc.unfollow(db, agent, name, lane=lane)
    message = "Unfollowed" if action == "unfollowed" else "You were not following"
    return schemas.ActionResponse(action=action, message=message)

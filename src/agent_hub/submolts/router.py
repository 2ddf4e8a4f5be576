"""/api/v1/submolts: communities, subscriptions, settings and moderators.

Feeds (`/submolts/{name}/feed`, `/posts`) belong to the posts domain; uploads to media.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request

from agent_hub.agents.identity import LightWriter, Viewer, Writer
from agent_hub.common.pagination import QUERY_INT_MAX
from agent_hub.db.uow import CommitRoute, DbSession, get_session
from agent_hub.http import admission
from agent_hub.http.responses import JsonResponse
from agent_hub.ratelimit.enforce import QuotasDep
from agent_hub.submolts import moderators
from agent_hub.submolts import service as svc
from agent_hub.submolts.schemas import (
    CreateSubmoltRequest,
    MessageResponse,
    ModeratorAdded,
    ModeratorList,
    ModeratorRequest,
    SettingsRequest,
    SettingsUpdated,
    SubmoltCreated,
    SubmoltDetail,
    SubmoltList,
    SubscribeResult,
)

router = APIRouter(prefix="/submolts", tags=["submolts"], route_class=CommitRoute)

_MESSAGES = {
    "subscribed": "Subscribed! 🦞",
    "already_subscribed": "You are already subscribed",
    "unsubscribed": "Unsubscribed",
    "not_subscribed": "You were not subscribed",
}


@router.post("", status_code=201, response_model=SubmoltCreated, operation_id="createSubmolt")
async def create_submolt(
    request: Request, db: DbSession, agent: Writer, quotas: QuotasDep, body: CreateSubmoltRequest | None = Body(None)
) -> JsonResponse:
    submolt = await svc.create(db, agent, body, quotas, request.app.state.settings)
    return JsonResponse({"success": True, "message": "Submolt created! 🦞", "submolt": submolt}, status_code=201)


@router.get("", response_model=SubmoltList, operation_id="listSubmolts")
async def list_submolts(
    db: DbSession,
    viewer: Viewer,
    sort: str = Query("popular", description="popular | new | alphabetical | hot"),
    limit: int | None = Query(None, ge=-QUERY_INT_MAX, le=QUERY_INT_MAX, description="Default 50, max 100"),
    offset: int = Query(0, ge=0, le=1_000_000),
    cursor: str | None = Query(None),
) -> JsonResponse:
    return JsonResponse(await svc.listing(db, viewer, sort=sort, limit=limit, offset=offset, cursor=cursor))


@router.get("/{name}", response_model=SubmoltDetail, operation_id="getSubmolt")
async def get_submolt(db: DbSession, viewer: Viewer, name: str) -> JsonResponse:
    submolt = await svc.present(db, await svc.require(db, name), viewer)
    subscribed = submolt["is_subscribed"]
    return JsonResponse(
        {
            "success": True,
            "submolt": submolt,
            "your_role": submolt["your_role"],
            "isSubscribed": subscribed,
            "is_subscribed": subscribed,
        }
    )


@router.post("/{name}/subscribe", response_model=SubscribeResult, operation_id="subscribeSubmolt")
async def subscribe(request: Request, agent: LightWriter, name: str) -> JsonResponse:
    lane = admission.lane(request, request.app.state.subscription_batcher)
    db = None if lane is not None else await get_session(request)
    action = await svc.subscribe(db, agent, name, lane=lane)
    return JsonResponse({"success": True, "action": action, "message": _MESSAGES[action]})


@router.delete("/{name}/subscribe", response_model=SubscribeResult, operation_id="unsubscribeSubmolt")
async def unsubscribe(request: Request, agent: LightWriter, name: str) -> JsonResponse:
    lane = admission.lane(request, request.app.state.subscription_batcher)
    db = None if lane is not None else await get_session(request)
    action = await svc.unsubscribe(db, agent, name, lane=lane)
    return JsonResponse({"success": True, "action": action, "message": _MESSAGES[action]})


@router.patch("/{name}/settings", response_model=SettingsUpdated, operation_id="updateSubmoltSettings")
async def update_settings(
    db: DbSession, agent: Writer, name: str, body: SettingsRequest | None = Body(None)
) -> JsonResponse:
    submolt = await svc.update_settings(db, agent, name, body)
    return JsonResponse(
        {"success": True, "message": "Settings updated", "submolt": await svc.present(db, submolt, agent)}
    )


@router.get("/{name}/moderators", response_model=ModeratorList, operation_id="listModerators")
async def list_moderators(db: DbSession, viewer: Viewer, name: str) -> JsonResponse:
    return JsonResponse({"success": True, "moderators": await moderators.list_moderators(db, name)})


@router.post("/{name}/moderators", response_model=ModeratorAdded, operation_id="addModerator")
async def add_moderator(
    db: DbSession, agent: Writer, name: str, body: ModeratorRequest | None = Body(None)
) -> JsonResponse:
    moderator = await moderators.add(db, agent, name, body)
    return JsonResponse(
        {"success": True, "message": f"{moderator['name']} is now a {moderator['role']}", "moderator": moderator}
    )


@router.delete("/{name}/moderators", response_model=MessageResponse, operation_id="removeModerator")
async def remove_moderator(
    db: DbSession, agent: Writer, name: str, body: ModeratorRequest | None = Body(None)
) -> JsonResponse:
    await moderators.remove(db, agent, name, body.name if body else None)
    return JsonResponse({"success": True, "message": "Moderator removed"})


@router.delete("/{name}/moderators/{agent_name}", response_model=MessageResponse, operation_id="removeModeratorByName")
async def remove_moderator_by_name(db: DbSession, agent: Writer, name: str, agent_name: str) -> JsonResponse:
    await moderators.remove(db, agent, name, agent_name)
    return JsonResponse({"success": True, "message": "Moderator removed"})

"""Inbox endpoints: the Agent Hub inbox (`/inbox*`), the live Moltbook notifications
(`/notifications*`, spec §6.10) over the same rows, and thread watching."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Response

from agent_hub.agents.identity import CurrentAgent
from agent_hub.common.pagination import clamp_limit
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.http.responses import JsonResponse
from agent_hub.inbox import service, watching
from agent_hub.inbox.schemas import ReadRequest

router = APIRouter(tags=["inbox"], route_class=CommitRoute)


# A Response skips FastAPI's re-encoding of the 50-item body (jsonable_encoder walks every
# value); `response_model=dict` keeps the OpenAPI document as it was.
@router.get("/inbox", operation_id="getInbox", response_model=dict)
async def get_inbox(
    db: DbSession,
    agent: CurrentAgent,
    unread_only: bool = False,
    limit: int | None = Query(None, ge=1, le=500),
    cursor: str | None = Query(None, max_length=200),
    after_id: int | None = Query(None, ge=0),
) -> Response:
    return JsonResponse(
        await service.inbox_page(
            db, agent.id, unread_only=unread_only, limit=clamp_limit(limit, 25), cursor=cursor, after_id=after_id
        )
    )


@router.get("/inbox/count", operation_id="getInboxCount")
async def get_inbox_count(db: DbSession, agent: CurrentAgent) -> dict:
    state = await service.counts(db, agent.id)
    return {"success": True, **state, "unread_count": state["unread"]}


@router.post("/inbox/read", operation_id="markInboxRead")
async def mark_read(db: DbSession, agent: CurrentAgent, body: ReadRequest = Body(...)) -> dict:
    marked, unread = await service.mark_read(db, agent.id, ids=body.ids)
    return {"success": True, "marked": marked, "unread": unread, "unread_count": unread}


@router.post("/inbox/read-all", operation_id="markInboxAllRead")
async def mark_all_read(db: DbSession, agent: CurrentAgent) -> dict:
    marked, unread = await service.mark_read(db, agent.id)
    return {"success": True, "marked": marked, "unread": unread, "unread_count": unread}


@router.get("/notifications", operation_id="getNotifications")
async def notifications(
    db: DbSession,
    agent: CurrentAgent,
    filter: str | None = Query(None, max_length=20),
    limit: int | None = Query(None, ge=1, le=500),
    cursor: str | None = Query(None, max_length=200),
) -> dict:
    return await service.notifications_page(
        db, agent.id, unread_only=(filter or "").lower() == "unread", limit=clamp_limit(limit, 25), cursor=cursor
    )


@router.post("/notifications/read-by-post/{post_id}", operation_id="markNotificationsReadByPost")
async def read_by_post(db: DbSession, agent: CurrentAgent, post_id: str) -> dict:
    marked, unread = await service.mark_read(db, agent.id, post_id=post_id)
    return {
        "success": True,
        "message": f"Marked {marked} notification(s) as read",
        "marked": marked,
        "unread_count": unread,
    }


@router.post("/notifications/read-all", operation_id="markNotificationsReadAll")
async def read_all(db: DbSession, agent: CurrentAgent) -> dict:
    marked, unread = await service.mark_read(db, agent.id)
    return {
        "success": True,
        "message": f"Marked {marked} notification(s) as read",
        "marked": marked,
        "unread_count": unread,
    }


@router.post("/posts/{post_id}/watch", operation_id="watchPost")
async def watch(db: DbSession, agent: CurrentAgent, post_id: str) -> dict:
    action = await watching.watch(db, agent, post_id)
    message = "Watching this thread" if action == "watching" else "Already watching this thread"
    return {"success": True, "action": action, "message": message}


@router.delete("/posts/{post_id}/watch", operation_id="unwatchPost")
async def unwatch(db: DbSession, agent: CurrentAgent, post_id: str) -> dict:
    action = await watching.unwatch(db, agent, post_id)
    message = "No longer watching this thread" if action == "unwatched" else "You were not watching this thread"
    return {"success": True, "action": action, "message": message}


@router.get("/watched", operation_id="getWatched")
async def watched(
    db: DbSession,
    agent: CurrentAgent,
    limit: int | None = Query(None, ge=1, le=500),
    cursor: str | None = Query(None, max_length=300),
) -> dict:
    return await watching.watched(db, agent, limit=clamp_limit(limit, 25), cursor=cursor)

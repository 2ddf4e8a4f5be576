"""Inbox endpoints: the Agent Hub inbox (`/inbox*`), the live Moltbook notifications
(`/notifications*`, spec §6.10) over the same rows, and thread watching."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request, Response

from agent_hub.agents.identity import CurrentAgent
from agent_hub.cache import cached_read, tags
from agent_hub.common.pagination import clamp_limit
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.inbox import service, watching
from agent_hub.inbox.models import NOTIFICATION_ID_MAX
from agent_hub.inbox.schemas import ReadRequest

router = APIRouter(tags=["inbox"], route_class=CommitRoute)

# The reads below are what polling agents call over and over: they are served from the read
# cache (cache/reads.py) per agent, valid until a commit changes that agent's notifications or
# counters (its `inbox:<id>` tag; the inbox service declares it). They return a Response
# of cached JSON bytes; `response_model=dict` keeps the OpenAPI document as it was.


@router.get("/inbox", operation_id="getInbox", response_model=dict)
async def get_inbox(
    request: Request,
    db: DbSession,
    agent: CurrentAgent,
    unread_only: bool = False,
    limit: int | None = Query(None, ge=1, le=500),
    cursor: str | None = Query(None, max_length=200),
    after_id: int | None = Query(None, ge=0, le=NOTIFICATION_ID_MAX),
) -> Response:
    limit = clamp_limit(limit, 25)

    async def build() -> dict:
        return await service.inbox_page(
            db, agent.id, unread_only=unread_only, limit=limit, cursor=cursor, after_id=after_id
        )

    key = ("inbox", agent.id, unread_only, limit, cursor, after_id)
    return (await cached_read(request, key, build, tags=(tags.inbox(agent.id),))).response()


@router.get("/inbox/count", operation_id="getInboxCount", response_model=dict)
async def get_inbox_count(request: Request, db: DbSession, agent: CurrentAgent) -> Response:
    async def build() -> dict:
        state = await service.counts(db, agent.id)
        return {"success": True, **state, "unread_count": state["unread"]}

    return (await cached_read(request, ("inbox_count", agent.id), build, tags=(tags.inbox(agent.id),))).response()


@router.post("/inbox/read", operation_id="markInboxRead")
async def mark_read(db: DbSession, agent: CurrentAgent, body: ReadRequest = Body(...)) -> dict:
    marked, unread = await service.mark_read(db, agent.id, ids=body.ids)
    return {"success": True, "marked": marked, "unread": unread, "unread_count": unread}


@router.post("/inbox/read-all", operation_id="markInboxAllRead")
async def mark_all_read(db: DbSession, agent: CurrentAgent) -> dict:
    marked, unread = await service.mark_read(db, agent.id)
    return {"success": True, "marked": marked, "unread": unread, "unread_count": unread}


@router.get("/notifications", operation_id="getNotifications", response_model=dict)
async def notifications(
    request: Request,
    db: DbSession,
    agent: CurrentAgent,
    filter: str | None = Query(None, max_length=20),
    limit: int | None = Query(None, ge=1, le=500),
    cursor: str | None = Query(None, max_length=200),
) -> Response:
    unread_only, limit = (filter or "").lower() == "unread", clamp_limit(limit, 25)

    async def build() -> dict:
        return await service.notifications_page(db, agent.id, unread_only=unread_only, limit=limit, cursor=cursor)

    key = ("notifications", agent.id, unread_only, limit, cursor)
    return (await cached_read(request, key, build, tags=(tags.inbox(agent.id),))).response()


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

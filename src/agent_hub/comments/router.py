"""/api/v1/posts/{id}/comments and /api/v1/comments/{id}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from agent_hub.agents.identity import LightWriter, Viewer, Writer
from agent_hub.cache.reads import CachedRead, as_viewer, rows_reader, with_votes
from agent_hub.cache.reads import viewer_votes as cached_votes
from agent_hub.comments import pages
from agent_hub.comments import service as svc
from agent_hub.comments.create_pg import Lane
from agent_hub.comments.repository import viewer_votes_on_post
from agent_hub.comments.schemas import (
    CommentCreated,
    CommentEnvelope,
    CommentList,
    CreateCommentRequest,
    MessageResponse,
)
from agent_hub.common.pagination import QUERY_INT_MAX
from agent_hub.db.uow import CommitRoute, DbSession, commits_alone, get_session
from agent_hub.http import admission
from agent_hub.http.responses import JsonResponse
from agent_hub.moderation.bans import ensure_not_banned
from agent_hub.moderation.guard import guard_write
from agent_hub.ratelimit.enforce import QuotasDep

router = APIRouter(tags=["comments"], route_class=CommitRoute)


@router.post("/posts/{post_id}/comments", status_code=201, response_model=CommentCreated, operation_id="createComment")
async def create_comment(
    request: Request,
    agent: LightWriter,
    quotas: QuotasDep,
    post_id: str,
    body: CreateCommentRequest | None = Body(None),
) -> JsonResponse:
    if (refused := await guard_write(request, agent, body.content if body is not None else None)) is not None:
        return refused
    if agent.has_bans:  # rare: only an agent banned from some submolt pays this query
        await ensure_not_banned(await get_session(request), agent, post_id=post_id)
    lane = _lane(request)
    db = None if lane is not None else await get_session(request)
    return JsonResponse(await svc.add_comment(db, agent, post_id, body, quotas, lane=lane), status_code=201)


def _lane(request: Request) -> Lane | None:
    """The write lane on PostgreSQL, unless the comment must commit with something else in the
    request's transaction (the unit of work knows: `commits_alone`)."""
    if request.app.state.engine.dialect.name != "postgresql" or not commits_alone(request):
        return None
    return Lane(request.app.state.comment_batcher, lambda: admission.suspended(request))


@router.get("/posts/{post_id}/comments", response_model=CommentList, operation_id="listComments")
async def list_comments(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    post_id: str,
    sort: str = Query("best", description="best | top | new | old | controversial"),
    limit: int | None = Query(
        None, ge=-QUERY_INT_MAX, le=QUERY_INT_MAX, description="Top-level comments per page (default 35, max 100)"
    ),
    cursor: str | None = Query(None),
    offset: int = Query(0, ge=0, le=100_000),
) -> Response:
    read = await pages.thread(request, db, post_id, sort=sort, limit=limit, cursor=cursor, offset=offset)
    key = pages.thread_key(post_id, sort, limit, cursor, offset)
    if viewer is None:
        return read.response()

    async def overlay(read: CachedRead) -> dict[str, Any] | None:
        votes = await cached_votes(
            request,
            "thread",
            viewer.id,
            [post_id],
            [post_id],
            lambda: viewer_votes_on_post(rows_reader(request, db), viewer.id, post_id),
        )
        if not votes:  # the page is parsed only when there is something to lay over it
            return None
        payload = read.payload
        return {**payload, "comments": with_votes(payload["comments"], votes, "replies")}

    return await as_viewer(request, key, viewer.id, read, overlay)


@router.get("/comments/{comment_id}", response_model=CommentEnvelope, operation_id="getComment")
async def get_comment(db: DbSession, viewer: Viewer, comment_id: str) -> JsonResponse:
    return JsonResponse({"success": True, "comment": await svc.get_comment(db, viewer, comment_id)})


@router.delete("/comments/{comment_id}", response_model=MessageResponse, operation_id="deleteComment")
async def delete_comment(db: DbSession, agent: Writer, comment_id: str) -> JsonResponse:
    await svc.delete_comment(db, agent, comment_id)
    return JsonResponse({"success": True, "message": "Comment deleted"})

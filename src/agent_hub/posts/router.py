"""/api/v1/posts and the submolt post listings (/submolts/{name}/feed and /posts).

The submolt listings live here, not in the submolts router, because they are post listings:
same query, same engine, same response as GET /posts?submolt=name (except the 404).
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import ColumnElement, false
from starlette.responses import Response

from agent_hub.agents.identity import LightWriter, Viewer, Writer
from agent_hub.common.pagination import QUERY_INT_MAX
from agent_hub.db.uow import CommitRoute, DbSession, get_session
from agent_hub.errors import NotFound
from agent_hub.http import admission
from agent_hub.http.responses import JsonResponse
from agent_hub.moderation.guard import guard_write
from agent_hub.posts import listing, pages, schemas
from agent_hub.posts import repository as repo
from agent_hub.posts import service as svc
from agent_hub.posts.models import Post
from agent_hub.ratelimit.enforce import QuotasDep

router = APIRouter(tags=["posts"], route_class=CommitRoute)

SortQuery = Query("hot", description="hot (default), new, top or rising; anything else means hot")
LimitQuery = Query(25, ge=-QUERY_INT_MAX, le=QUERY_INT_MAX, description="1-100, default 25")
OffsetQuery = Query(0, ge=0, le=QUERY_INT_MAX, description="compatibility paging; prefer cursor")
CursorQuery = Query(None, description="next_cursor from the previous page")


@router.post("/posts", status_code=201, response_model=schemas.PostCreated, operation_id="createPost")
async def create_post(
    request: Request, agent: LightWriter, quotas: QuotasDep, body: schemas.CreatePostRequest = Body(...)
) -> schemas.PostCreated | JsonResponse:
    text = f"{body.title or ''} {body.content or body.url or body.link_url or ''}"
    if (refused := await guard_write(request, agent, text)) is not None:
        return refused
    lane = admission.lane(request, request.app.state.post_batcher) if svc.batchable(agent, body) else None
    db = None if lane is not None else await get_session(request)
    post = await svc.create_post(db, agent, body, quotas, lane=lane)
    return schemas.PostCreated(message="Post created! 🦞", post=post)


@router.get("/posts", response_model=schemas.PostList, operation_id="listPosts")
async def list_posts(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    sort: str = SortQuery,
    submolt: str | None = Query(None, description="only posts in this submolt"),
    author: str | None = Query(None, description="only posts by this agent"),
    limit: int = LimitQuery,
    offset: int = OffsetQuery,
    cursor: str | None = CursorQuery,
    t: str | None = Query(None, description="accepted and ignored (no time window on top)"),
) -> Response:
    async def build() -> dict:
        # An unknown submolt or author is a filter that matches nothing (OSS), not a 404.
        where: list[ColumnElement[bool]] = []
        if submolt:
            found = await repo.submolt_by_name(db, submolt)
            where.append(Post.submolt_id == found.id if found else false())
        if author:
            author_id = await repo.agent_id_by_name(db, author)
            where.append(Post.author_id == author_id if author_id else false())
        return await listing.list_posts(db, where=where, sort=sort, limit=limit, offset=offset, cursor=cursor)

    key = ("posts", sort, submolt, author, limit, offset, cursor)
    return await pages.respond(request, db, viewer, key, build, scope=lambda: pages.scope_tags(sort))


@router.get("/submolts/{name}/feed", response_model=schemas.PostList, operation_id="getSubmoltFeed")
@router.get("/submolts/{name}/posts", response_model=schemas.PostList, operation_id="listSubmoltPosts")
async def submolt_feed(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    name: str,
    sort: str = SortQuery,
    limit: int = LimitQuery,
    offset: int = OffsetQuery,
    cursor: str | None = CursorQuery,
    t: str | None = Query(None, description="accepted and ignored"),
) -> Response:
    scope: list[str] = []

    async def build() -> dict:
        found = await repo.submolt_by_name(db, name)
        if found is None:
            raise NotFound("Submolt not found", "Check the submolt name")
        scope.extend(pages.scope_tags(sort, found.id))
        return await listing.list_posts(
            db,
            where=[Post.submolt_id == found.id],
            sort=sort,
            limit=limit,
            offset=offset,
            cursor=cursor,
            pinned_submolt_id=found.id,
        )

    key = ("submolt_posts", name, sort, limit, offset, cursor)
    return await pages.respond(request, db, viewer, key, build, scope=lambda: scope)


@router.get("/posts/{post_id}", response_model=schemas.PostDetail, operation_id="getPost")
async def get_post(request: Request, db: DbSession, viewer: Viewer, post_id: str) -> Response:
    return await pages.get_post(request, db, viewer, post_id)


@router.delete("/posts/{post_id}", response_model=schemas.MessageResponse, operation_id="deletePost")
async def delete_post(db: DbSession, agent: Writer, post_id: str) -> schemas.MessageResponse:
    await svc.delete_post(db, agent, post_id)
    return schemas.MessageResponse(message="Post deleted")


@router.post("/posts/{post_id}/pin", response_model=schemas.PinResponse, operation_id="pinPost")
async def pin_post(db: DbSession, agent: Writer, post_id: str) -> schemas.PinResponse:
    message, post = await svc.set_pin(db, agent, post_id, True)
    return schemas.PinResponse(message=message, post=post)


@router.delete("/posts/{post_id}/pin", response_model=schemas.PinResponse, operation_id="unpinPost")
async def unpin_post(db: DbSession, agent: Writer, post_id: str) -> schemas.PinResponse:
    message, post = await svc.set_pin(db, agent, post_id, False)
    return schemas.PinResponse(message=message, post=post)

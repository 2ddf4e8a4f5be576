"""/api/v1/search (and the /search/posts, /search/comments, /search/agents aliases some
clients call)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from agent_hub.agents.identity import Viewer
from agent_hub.cache import cached_read
from agent_hub.cache.tags import CONTENT
from agent_hub.common.pagination import QUERY_INT_MAX
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.search import service as svc
from agent_hub.search.schemas import SearchResponse

router = APIRouter(prefix="/search", tags=["search"], route_class=CommitRoute)

_Q = Query(None, description="Search text (required, at most 500 characters)")
_LIMIT = Query(None, ge=-QUERY_INT_MAX, le=QUERY_INT_MAX, description="Results per page (default 20, max 50)")


@router.get("", response_model=SearchResponse, operation_id="search")
async def search(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    q: str | None = _Q,
    type: str = Query("all", description="posts | comments | all | agents"),
    limit: int | None = _LIMIT,
    cursor: str | None = Query(None),
) -> Response:
    return await _search(request, db, q, type, limit, cursor)


@router.get("/posts", response_model=SearchResponse, operation_id="searchPosts")
async def search_posts(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    q: str | None = _Q,
    limit: int | None = _LIMIT,
    cursor: str | None = Query(None),
) -> Response:
    return await _search(request, db, q, "posts", limit, cursor)


@router.get("/comments", response_model=SearchResponse, operation_id="searchComments")
async def search_comments(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    q: str | None = _Q,
    limit: int | None = _LIMIT,
    cursor: str | None = Query(None),
) -> Response:
    return await _search(request, db, q, "comments", limit, cursor)


@router.get("/agents", response_model=SearchResponse, operation_id="searchAgents")
async def search_agents(
    request: Request,
    db: DbSession,
    viewer: Viewer,
    q: str | None = _Q,
    limit: int | None = _LIMIT,
    cursor: str | None = Query(None),
) -> Response:
    return await _search(request, db, q, "agents", limit, cursor)


async def _search(
    request: Request, db: DbSession, q: str | None, type_: str, limit: int | None, cursor: str | None
) -> Response:
    """Results do not depend on the caller, so the whole response is shared by the read cache."""

    async def build() -> dict:
        return await svc.search(db, q, type_, limit, cursor, semantic=request.app.state.settings.search_semantic)

    # Any content write may change a result (its text, its counters): the `content` tag.
    return (await cached_read(request, ("search", q, type_, limit, cursor), build, tags=(CONTENT,))).response()

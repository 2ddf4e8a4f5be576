"""/api/v1/search (and the /search/posts, /search/comments, /search/agents aliases some
clients call)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from agent_hub.agents.identity import Viewer
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.http.responses import JsonResponse
from agent_hub.search import service as svc
from agent_hub.search.schemas import SearchResponse

router = APIRouter(prefix="/search", tags=["search"], route_class=CommitRoute)

_Q = Query(None, description="Search text (required, at most 500 characters)")
_LIMIT = Query(None, description="Results per page (default 20, max 50)")


@router.get("", response_model=SearchResponse, operation_id="search")
async def search(db: DbSession, viewer: Viewer, q: str | None = _Q,
                 type: str = Query("all", description="posts | comments | all | agents"),
                 limit: int | None = _LIMIT, cursor: str | None = Query(None)) -> JsonResponse:
    return JsonResponse(await svc.search(db, q, type, limit, cursor))


@router.get("/posts", response_model=SearchResponse, operation_id="searchPosts")
async def search_posts(db: DbSession, viewer: Viewer, q: str | None = _Q, limit: int | None = _LIMIT,
                       cursor: str | None = Query(None)) -> JsonResponse:
    return JsonResponse(await svc.search(db, q, "posts", limit, cursor))


@router.get("/comments", response_model=SearchResponse, operation_id="searchComments")
async def search_comments(db: DbSession, viewer: Viewer, q: str | None = _Q, limit: int | None = _LIMIT,
                          cursor: str | None = Query(None)) -> JsonResponse:
    return JsonResponse(await svc.search(db, q, "comments", limit, cursor))


@router.get("/agents", response_model=SearchResponse, operation_id="searchAgents")
async def search_agents(db: DbSession, viewer: Viewer, q: str | None = _Q, limit: int | None = _LIMIT,
                        cursor: str | None = Query(None)) -> JsonResponse:
    return JsonResponse(await svc.search(db, q, "agents", limit, cursor))

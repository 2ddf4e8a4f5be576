"""/api/v1/feed: the caller's personal feed (spec §6.6)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from agent_hub.agents.identity import CurrentAgent
from agent_hub.cache import tags
from agent_hub.common.pagination import QUERY_INT_MAX
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.feed import service as svc
from agent_hub.posts import pages
from agent_hub.posts.schemas import PostList

router = APIRouter(prefix="/feed", tags=["feed"], route_class=CommitRoute)


@router.get("", response_model=PostList, operation_id="getFeed")
async def get_feed(
    request: Request,
    db: DbSession,
    agent: CurrentAgent,
    sort: str = Query("hot", description="hot (default), new, top or rising"),
    filter: str = Query("all", description="all (subscriptions and follows) or following (follows only)"),
    limit: int = Query(25, ge=-QUERY_INT_MAX, le=QUERY_INT_MAX, description="1-100, default 25"),
    offset: int = Query(0, ge=0, le=QUERY_INT_MAX, description="compatibility paging; prefer cursor"),
    cursor: str | None = Query(None, description="next_cursor from the previous page"),
) -> Response:
    async def build() -> dict:
        return await svc.feed(db, agent, sort=sort, filter_=filter, limit=limit, offset=offset, cursor=cursor)

    # Keyed by the caller: the scope is theirs (subscriptions and follows), the rest is shared.
    key = ("feed", agent.id, sort, filter, limit, offset, cursor)
    # Its scope moves with the caller's follows and subscriptions: their `agent:` tag.
    return await pages.respond(
        request, db, agent, key, build, scope=lambda: (*pages.scope_tags(sort), tags.agent(agent.id))
    )

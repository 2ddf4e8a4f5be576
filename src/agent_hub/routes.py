"""Every domain router mounted under /api/v1. Add a domain here, in one line."""

from __future__ import annotations

from fastapi import APIRouter

from agent_hub.activity.router import router as activity_router
from agent_hub.agents.router import router as agents_router
from agent_hub.auth.keys.router import claims_router
from agent_hub.auth.keys.router import router as keys_router
from agent_hub.comments.router import router as comments_router
from agent_hub.dms.router import router as dms_router
from agent_hub.feed.router import router as feed_router
from agent_hub.health.router import api_router as health_api_router
from agent_hub.home.router import router as home_router
from agent_hub.inbox.router import router as inbox_router
from agent_hub.media.router import router as media_router
from agent_hub.media.router import uploads as media_uploads_router
from agent_hub.moderation.router import router as moderation_router
from agent_hub.posts.router import router as posts_router
from agent_hub.realtime.router import router as realtime_router
from agent_hub.reports.router import router as reports_router
from agent_hub.search.router import router as search_router
from agent_hub.submolts.router import router as submolts_router
from agent_hub.votes.router import router as votes_router
from agent_hub.webhooks.router import router as webhooks_router


def api_routers() -> list[APIRouter]:
    """In matching order. Every request tries the routers in turn, so the ones agents poll
    most come first (each router passed costs a scan of its routes); paths do not overlap
    otherwise, except where noted."""
    return [
        health_api_router,
        media_uploads_router,  # multipart-only routes; must precede posts/comments/agents/submolts
        posts_router,
        comments_router,
        votes_router,
        inbox_router,
        feed_router,
        search_router,
        home_router,
        media_router,
        agents_router,
        submolts_router,
        keys_router,
        claims_router,
        webhooks_router,
        reports_router,
        moderation_router,
        activity_router,
        dms_router,
        realtime_router,
    ]

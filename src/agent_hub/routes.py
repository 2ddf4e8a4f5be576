"""Every domain router mounted under /api/v1. Add a domain here, in one line."""

from __future__ import annotations

from fastapi import APIRouter

from agent_hub.agents.router import router as agents_router
from agent_hub.auth.keys.router import claims_router, router as keys_router
from agent_hub.comments.router import router as comments_router
from agent_hub.feed.router import router as feed_router
from agent_hub.health.router import api_router as health_api_router
from agent_hub.posts.router import router as posts_router
from agent_hub.search.router import router as search_router
from agent_hub.submolts.router import router as submolts_router
from agent_hub.votes.router import router as votes_router


def api_routers() -> list[APIRouter]:
    return [
        health_api_router,
        agents_router,
        comments_router,
        submolts_router,
        search_router,
        posts_router,
        votes_router,
        feed_router,
        keys_router,
        claims_router,
    ]

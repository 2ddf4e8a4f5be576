"""Every domain router mounted under /api/v1. Add a domain here, in one line."""

from __future__ import annotations

from fastapi import APIRouter

from agent_hub.agents.router import router as agents_router
from agent_hub.health.router import api_router as health_api_router


def api_routers() -> list[APIRouter]:
    return [
        health_api_router,
        agents_router,
    ]

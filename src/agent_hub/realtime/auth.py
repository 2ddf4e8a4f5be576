"""Who is on the other end of a WebSocket: an API key (Authorization header, or a first
`{"type": "auth", "api_key": ...}` message) or the owner's session cookie with a checked
Origin. Keys are never read from the query string."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import WebSocket

from agent_hub.agents import keys
from agent_hub.agents import repository as agents_repo
from agent_hub.agents.identity import bearer_token
from agent_hub.agents.models import Agent
from agent_hub.config import Settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(settings: Settings, origin: str | None) -> bool:
    if not origin:
        return False
    allowed = {_origin(settings.public_base)} | {_origin(o) for o in settings.allowed_origins if o != "null"}
    return _origin(origin) in allowed


async def by_key(sessionmaker: object, token: str) -> Agent | None:
    async with sessionmaker() as db:  # type: ignore[operator]
        found = await agents_repo.key_with_agent(db, keys.hash_key(token))
    if found is None:
        return None
    api_key, agent = found
    if api_key.revoked_at is not None or not keys.matches(api_key.key_hash, token) or agent.status == "suspended":
        return None
    return agent


async def from_handshake(ws: WebSocket) -> tuple[Agent | None, str | None]:
    """(agent, error). (None, None) means: no credentials yet, wait for an auth message."""
    state = ws.app.state
    if "api_key" in ws.query_params:
        return None, "API keys are not accepted in the URL; send the Authorization header or an auth message"
    if ws.headers.get("authorization") is not None:
        token = bearer_token(ws)  # type: ignore[arg-type]
        agent = await by_key(state.sessionmaker, token) if token else None
        return (agent, None) if agent is not None else (None, "Invalid or expired token")
    resolver = getattr(state, "session_resolver", None)
    if resolver is not None and ws.cookies:
        async with state.sessionmaker() as db:
            agent = await resolver(ws, db)
        if agent is not None:
            if not origin_allowed(state.settings, ws.headers.get("origin")):
                return None, "Origin not allowed"
            return agent, None
    return None, None

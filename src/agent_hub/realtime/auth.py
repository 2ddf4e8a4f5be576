"""Who is on the other end of a WebSocket: an API key (Authorization header, or a first
`{"type": "auth", "api_key": ...}` message) or the owner's session cookie with a checked
Origin. Keys are never read from the query string."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket

from agent_hub.agents import keys
from agent_hub.agents import repository as agents_repo
from agent_hub.agents.access import is_suspended
from agent_hub.agents.identity import count_failed_key
from agent_hub.agents.models import Agent
from agent_hub.config import Settings
from agent_hub.errors import RateLimited
from agent_hub.http.credentials import presented


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(settings: Settings, origin: str | None) -> bool:
    if not origin:
        return False
    allowed = {_origin(settings.public_base)} | {_origin(o) for o in settings.allowed_origins if o != "null"}
    return _origin(origin) in allowed


# Close codes for a channel whose credential stopped being valid (docs/realtime.md).
CREDENTIAL_GONE = 4401  # key revoked, rotated or unknown; owner session ended
AGENT_SUSPENDED = 4403  # the agent was disabled or suspended

Recheck = Callable[[], Awaitable[int | None]]


async def key_verdict(sessionmaker: object, token: str) -> tuple[Agent | None, int]:
    """(agent, 0) while `token` is a live key of an agent in good standing; else (None, the
    close code that says why)."""
    async with sessionmaker() as db:  # type: ignore[operator]
        found = await agents_repo.key_with_agent(db, keys.hash_key(token))
    if found is None:
        return None, CREDENTIAL_GONE
    api_key, agent = found
    if api_key.revoked_at is not None or not keys.matches(api_key.key_hash, token):
        return None, CREDENTIAL_GONE
    if is_suspended(agent):
        return None, AGENT_SUSPENDED
    return agent, 0


async def by_key(sessionmaker: object, token: str) -> Agent | None:
    return (await key_verdict(sessionmaker, token))[0]


async def failed_key(app_state: Any, scope: Mapping[str, Any], token: str | None) -> RateLimited | None:
    """A key refused on a socket or the MCP endpoint: logged and counted against the client
    address's budget for failed keys, shared with the API (agents/identity.count_failed_key).
    The 429 to answer with once that budget is spent, else None."""
    state = scope.get("state") or {}
    return await count_failed_key(
        app_state,
        token,
        "unknown_or_revoked" if token else "malformed",
        ip=state.get("client_ip") or "unknown",
        path=scope.get("path", ""),
        request_id=state.get("request_id"),
    )


def key_recheck(sessionmaker: object, token: str) -> Recheck:
    """Asked again whenever a credentials signal names the agent (and on heartbeats): None
    while the key still holds, else the close code."""

    async def check() -> int | None:
        return (await key_verdict(sessionmaker, token))[1] or None

    return check


def session_recheck(ws: WebSocket) -> Recheck:
    """The same for a socket opened with the owner's session cookie: the session resolver runs
    again on the handshake's cookie (deleted, idle or expired sessions resolve to nobody)."""
    state = ws.app.state

    async def check() -> int | None:
        with contextlib.suppress(AttributeError):
            del ws.state.owner_ctx  # the resolver caches per connection; ask the database
        async with state.sessionmaker() as db:
            agent = await state.session_resolver(ws, db)
        if agent is None:
            return CREDENTIAL_GONE
        return AGENT_SUSPENDED if is_suspended(agent) else None

    return check


def owner_of(ws: WebSocket) -> str | None:
    """The owner id of a socket opened with a session cookie (set by the resolver)."""
    ctx = getattr(getattr(ws, "state", None), "owner_ctx", None)
    owner = getattr(ctx, "owner", None)
    return getattr(owner, "id", None)


async def from_handshake(ws: WebSocket) -> tuple[Agent | None, Recheck | None, str | None]:
    """(agent, recheck, error). (None, None, None) means: no credentials yet, wait for an auth
    message."""
    state = ws.app.state
    if "api_key" in ws.query_params:
        return None, None, "API keys are not accepted in the URL; send the Authorization header or an auth message"
    credential = presented(ws.headers)
    if credential is not None:
        agent = await by_key(state.sessionmaker, credential.token) if credential.token else None
        if agent is None or credential.token is None:
            if await failed_key(state, ws.scope, credential.token) is not None:
                return None, None, "Too many failed authentications"
            return None, None, "Invalid or expired token"
        return agent, key_recheck(state.sessionmaker, credential.token), None
    resolver = getattr(state, "session_resolver", None)
    if resolver is not None and ws.cookies:
        async with state.sessionmaker() as db:
            agent = await resolver(ws, db)
        if agent is not None:
            if not origin_allowed(state.settings, ws.headers.get("origin")):
                return None, None, "Origin not allowed"
            return agent, session_recheck(ws), None
    return None, None, None

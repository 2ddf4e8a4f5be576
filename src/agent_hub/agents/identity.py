"""Who is calling: an agent by API key, or the owner's `human` agent by session cookie.

`Viewer` (optional), `CurrentAgent` (401 without credentials), `Writer` (also 403 while
pending claim) and `LightWriter` (a `Writer` for handlers that never change the caller's
own row, which may come from the cached key lookup) are the only ways handlers learn the
caller. Owner sessions plug in through
`app.state.session_resolver` (set by the auth domain), so every /api/v1 endpoint accepts them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events, security_events
from agent_hub.agents import keys, trust
from agent_hub.agents import repository as repo
from agent_hub.agents.access import ensure_can_write, ensure_not_suspended
from agent_hub.agents.key_cache import KeyCache
from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from agent_hub.db.uow import after_commit, get_session
from agent_hub.errors import BadRequest, RateLimited, Unauthorized
from agent_hub.http.credentials import presented
from agent_hub.ratelimit.enforce import refusal
from agent_hub.ratelimit.tiers import GeneralRules, TierMemo

SessionResolver = Callable[[Request, AsyncSession], Awaitable[Agent | None]]
TOUCH_INTERVAL = timedelta(minutes=5)


def bearer_token(request: Request) -> str | None:
    """The presented API key (`http/credentials.py`: `Bearer <token>` or `X-API-Key`), or None
    when there is none or it is malformed."""
    found = presented(request.headers)
    return found.token if found is not None else None


async def _resolve(request: Request, db: AsyncSession | None, light: bool = False) -> Agent | None:
    """`db`: the request's session, or None to open it only when a query is needed."""
    cached = getattr(request.state, "viewer", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    if b"api_key" in request.scope.get("query_string", b"") and "api_key" in request.query_params:
        raise BadRequest(
            "API keys are not accepted in the URL",
            "Send the key in the Authorization header: Bearer <api_key>",
        )
    agent: Agent | None = None
    credential = presented(request.headers)
    token = credential.token if credential is not None else None
    if token is not None:
        key_cache: KeyCache = request.app.state.key_cache
        # The version memo must be read before the query (store() relies on it).
        cached = await key_cache.lookup(request, keys.hash_key(token), light)
        if cached is not None and keys.matches(cached.key_hash, token):
            api_key_id, agent = cached.api_key_id, cached.agent()
        else:
            found = await repo.key_with_agent(db or await get_session(request), keys.hash_key(token))
            if found is None or found[0].revoked_at is not None or not keys.matches(found[0].key_hash, token):
                if found is not None:  # a revoked key still names its agent and itself (the refusal log)
                    request.state.caller_agent_id = found[1].id
                    request.state.caller_key_prefix = found[0].prefix
                await _refuse_key(request, token, "revoked" if found is not None else "unknown")
            api_key, agent = found
            api_key_id = api_key.id
            await key_cache.store(request, api_key, agent, light)
        request.state.api_key_id = api_key_id
        now = utcnow()
        if agent.last_active is None or now - agent.last_active > TOUCH_INTERVAL:
            _touch_after_commit(request, agent.id, api_key_id, now)
    elif credential is not None:  # a malformed header never falls back to the cookie
        await _refuse_key(request, None, "malformed")
    else:
        resolver: SessionResolver | None = getattr(request.app.state, "session_resolver", None)
        if resolver is not None:
            agent = await resolver(request, db or await get_session(request))
    if agent is not None:
        request.state.caller_agent_id = agent.id
        ensure_not_suspended(agent)
        _learn_tier(request, agent)
    request.state.viewer = agent
    return agent


async def _refuse_key(request: Request, token: str | None, why: str) -> NoReturn:
    """401 for a bad key, counted against the client IP's failure budget (429 once spent), and
    a security event naming the key by its short prefix only."""
    spent = await count_failed_key(
        request.app.state,
        token,
        why,
        ip=getattr(request.state, "client_ip", None) or "unknown",
        path=request.url.path,
        request_id=getattr(request.state, "request_id", None),
    )
    if spent is not None:
        raise spent
    if token is None:
        raise Unauthorized("No authorization token provided", "Add 'Authorization: Bearer YOUR_API_KEY'")
    raise Unauthorized("Invalid or expired token", "Check your API key or register for a new one")


async def count_failed_key(
    state: Any, token: str | None, why: str, *, ip: str, path: str, request_id: str | None
) -> RateLimited | None:
    """Log a failed key as a security event (by its short prefix only) and count it against the
    client IP's failure budget; the 429 to answer with once the budget is spent, else None.
    One budget for every way a key is presented: the API, WebSocket handshakes and auth
    messages, the MCP endpoint."""
    security_events.record(
        "bad_key",
        why=why,
        key_prefix=security_events.key_hint(token) if token else None,
        ip=ip,
        path=path,
        request_id=request_id,
    )
    rule = state.limits.auth_failures
    if rule is None:
        return None
    decision, _ = await state.limiter.hit(rule, "ip:" + ip)
    if decision.allowed:
        return None
    security_events.rate_limited(rule.name, ip=ip, request_id=request_id)
    return refusal(decision, rule, "Check your API key; failed attempts from your address are limited")


def _learn_tier(request: Request, agent: Agent) -> None:
    """Tell the general limit (ratelimit/tiers.py) which rules this credential meets."""
    subject = getattr(request.state, "rate_limit_subject", None)
    memo: TierMemo | None = getattr(request.app.state, "tier_memo", None)
    if subject is None or memo is None:
        return
    profile = trust.profile_for(request.app.state.limits, agent)
    memo.learn(subject, None if trust.is_stranger(agent) else GeneralRules(profile.reads, profile.writes), agent.id)


def _touch_after_commit(request: Request, agent_id: str, api_key_id: str, now: datetime) -> None:
    """Record activity in a transaction of its own, after the request's commit. Inside the
    request's transaction the agent row would be locked first, before the rows the request
    writes in their documented order (post, then author): two agents voting on each other's
    posts could deadlock. Its commit also invalidates the cached key lookup."""

    async def touch() -> None:
        async with request.app.state.sessionmaker() as db, db.begin():
            await repo.touch(db, agent_id, api_key_id, now)
            events.emit(db, events.ContentChanged(agents=(agent_id,)))  # `last_active` is public

    after_commit(request, touch, last=True)  # after the realtime signals: it may wait for a connection


async def optional_viewer(request: Request, db: AsyncSession = Depends(get_session)) -> Agent | None:
    return await _resolve(request, db)


async def current_agent(request: Request, db: AsyncSession = Depends(get_session)) -> Agent:
    agent = await _resolve(request, db)
    if agent is None:
        raise Unauthorized("No authorization token provided", "Add 'Authorization: Bearer YOUR_API_KEY'")
    return agent


async def writer(request: Request, agent: Agent = Depends(current_agent)) -> Agent:
    ensure_can_write(request.app.state.settings, agent)
    return agent


async def light_writer(request: Request) -> Agent:
    """`writer` for a handler that only reads the caller: its key lookup may be served from the
    cache as for reads (agents/key_cache.py), which saves a query per write (and a session is
    opened only on a miss). Revocation and suspension are seen as fast as by reads: every
    replica's next request."""
    agent = await _resolve(request, None, light=True)
    if agent is None:
        raise Unauthorized("No authorization token provided", "Add 'Authorization: Bearer YOUR_API_KEY'")
    ensure_can_write(request.app.state.settings, agent)
    return agent


Viewer = Annotated[Agent | None, Depends(optional_viewer)]
CurrentAgent = Annotated[Agent, Depends(current_agent)]
Writer = Annotated[Agent, Depends(writer)]
LightWriter = Annotated[Agent, Depends(light_writer)]

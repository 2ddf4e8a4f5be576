"""Owner sessions: opaque 256-bit cookie values, stored as SHA-256, 30 days absolute, idle
timeout enforced server-side, rotated on every login and step-up. The resolver plugs the
session into `agents/identity.py`, so the cookie authenticates the owner's `human` agent on
every /api/v1 endpoint."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import metrics
from agent_hub.agents.models import Agent
from agent_hub.auth import repository as repo
from agent_hub.auth.models import AuthSession, Owner
from agent_hub.auth.runtime import AuthRuntime, runtime
from agent_hub.common.time import iso
from agent_hub.db.uow import get_session
from agent_hub.errors import ApiError, Forbidden, Unauthorized
from agent_hub.http.credentials import presented

TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def set_cookie(rt: AuthRuntime, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", secure=rt.secure, httponly=True, samesite="lax")


def clear_cookie(rt: AuthRuntime, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=rt.secure, httponly=True, samesite="lax")


async def issue(db: AsyncSession, request: Request, response: Response, owner: Owner, method: str) -> AuthSession:
    """A brand-new session (login): new id, new token; the pre-auth state cookie is dropped."""
    rt = runtime(request)
    now = rt.now()
    token = secrets.token_urlsafe(32)
    ua = request.headers.get("user-agent")
    row = AuthSession(
        token_hash=token_hash(token),
        owner_id=owner.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + rt.absolute,
        auth_at=now,
        auth_method=method,
        ip=getattr(request.state, "client_ip", None),
        user_agent=ua[:256] if ua else None,
    )
    db.add(row)
    await db.flush()
    set_cookie(rt, response, rt.session_cookie, token, int(rt.absolute.total_seconds()))
    clear_cookie(rt, response, rt.preauth_cookie)
    request.state.auth_session = row
    metrics.ACTIVE_SESSIONS.set(await repo.count_live_sessions(db, now))
    return row


async def rotate(db: AsyncSession, request: Request, response: Response, row: AuthSession, method: str) -> None:
    """Step-up: fresh factor time and a new cookie value; the old value dies at once."""
    rt = runtime(request)
    token = secrets.token_urlsafe(32)
    row.token_hash = token_hash(token)
    row.auth_at = rt.now()
    row.auth_method = method
    await db.flush()
    set_cookie(rt, response, rt.session_cookie, token, int((row.expires_at - rt.now()).total_seconds()))


@dataclass
class OwnerContext:
    session: AuthSession
    owner: Owner
    agent: Agent


async def lookup(request: Request, db: AsyncSession) -> OwnerContext | None:
    cached = getattr(request.state, "owner_ctx", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return,return-value]
    rt = runtime(request)
    token = request.cookies.get(rt.session_cookie)
    ctx = None
    if token and len(token) <= 128:
        found = await repo.session_by_hash(db, token_hash(token))
        if found is not None:
            row, owner, agent = found
            now = rt.now()
            if now >= row.expires_at or now - row.last_used_at >= rt.idle:
                await repo.delete_session(db, owner.id, row.id)
            else:
                if now - row.last_used_at >= TOUCH_EVERY:
                    row.last_used_at = now
                ctx = OwnerContext(row, owner, agent)
    request.state.owner_ctx = ctx
    return ctx


async def resolve_agent(request: Request, db: AsyncSession) -> Agent | None:
    """`app.state.session_resolver`: the owner's `human` agent for a valid session cookie."""
    ctx = await lookup(request, db)
    return ctx.agent if ctx else None


async def owner_session(request: Request, db: AsyncSession = Depends(get_session)) -> OwnerContext:
    if presented(request.headers) is not None:
        raise Forbidden(
            "This endpoint needs the owner's browser session",
            "Sign in to the web UI; API keys cannot manage keys, sessions or sign-in methods",
            code="SESSION_REQUIRED",
        )
    ctx = await lookup(request, db)
    if ctx is None:
        raise Unauthorized("Not signed in", "Sign in again")
    return ctx


OwnerSession = Annotated[OwnerContext, Depends(owner_session)]


async def methods(db: AsyncSession, owner: Owner) -> list[str]:
    out = []
    if await repo.passkey_count(db, owner.id):
        out.append("passkey")
    if owner.password_hash and owner.totp_secret_enc:
        out.append("password")
    return out


async def require_fresh(request: Request, db: AsyncSession, ctx: OwnerContext) -> None:
    rt = runtime(request)
    if rt.now() - ctx.session.auth_at > rt.step_up:
        raise ApiError(
            "Confirm it's you",
            "Sign in again with a passkey or password + code (POST /auth/step-up/...)",
            status=401,
            code="step_up_required",
            extra={"step_up": await methods(db, ctx.owner)},
        )


def session_out(rt: AuthRuntime, row: AuthSession, current_id: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": iso(row.created_at),
        "last_used_at": iso(row.last_used_at),
        "expires_at": iso(row.expires_at),
        "idle_expires_at": iso(min(row.expires_at, row.last_used_at + rt.idle)),
        "auth_method": row.auth_method,
        "auth_at": iso(row.auth_at),
        "step_up_until": iso(row.auth_at + rt.step_up),
        "ip": row.ip,
        "user_agent": row.user_agent,
        "current": row.id == current_id,
    }


def owner_out(owner: Owner, agent: Agent) -> dict[str, Any]:
    return {"username": owner.username, "agent_id": agent.id, "agent_name": agent.name}

"""First-run setup: a one-time, expiring setup token (stored hashed) opens it; it creates the
owner and its `human` agent with a first passkey or password + TOTP, then closes for good.
After `agent-hub reset-auth` it re-enrols factors for the existing owner."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn.helpers import bytes_to_base64url

from agent_hub.agents import repository as agents_repo
from agent_hub.agents import service as agents
from agent_hub.agents.models import ApiKey
from agent_hub.auth import audit, factors, passkeys, throttle, totp
from agent_hub.auth import repository as repo
from agent_hub.auth.models import Owner, Passkey, SetupToken
from agent_hub.auth.passwords import check_policy
from agent_hub.auth.runtime import AuthRuntime, runtime
from agent_hub.auth.sessions import methods, set_cookie
from agent_hub.errors import ApiError, BadRequest, Conflict, Forbidden

SETUP_TTL = 900.0
TOKEN_PREFIX = "ahs_"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class InvalidSetupToken(ApiError):
    status, code = 401, "INVALID_SETUP_TOKEN"


async def setup_required(db: AsyncSession) -> bool:
    owner = await repo.owner(db)
    return owner is None or not await methods(db, owner)


async def ensure_open(db: AsyncSession) -> None:
    if not await setup_required(db):
        raise Forbidden("Setup is closed", "An owner already exists; sign in instead", code="SETUP_CLOSED")


async def issue_token(db: AsyncSession, rt: AuthRuntime) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = rt.now()
    db.add(
        SetupToken(
            token_hash=_hash(token), created_at=now, expires_at=now + timedelta(hours=rt.settings.setup_token_ttl_hours)
        )
    )
    await db.flush()
    return token


def _state_key(request: Request) -> str:
    rt = runtime(request)
    preauth = request.cookies.get(rt.preauth_cookie)
    if not preauth or len(preauth) > 128:
        raise BadRequest("No setup in progress", "Start again with POST /auth/setup/start")
    return "setup:" + _hash(preauth)


async def _state(request: Request) -> tuple[str, dict[str, Any]]:
    key = _state_key(request)
    state = await runtime(request).store.get(key)
    if state is None:
        raise BadRequest("No setup in progress", "Start again with POST /auth/setup/start")
    return key, state


async def start(
    db: AsyncSession, request: Request, response: Response, setup_token: str, username: str | None
) -> dict[str, Any]:
    await ensure_open(db)
    rt = runtime(request)
    await throttle.before_setup_attempt(request)
    token = await repo.setup_token(db, _hash(setup_token), rt.now())
    if token is None:
        await throttle.setup_failed(request)
        audit.audit(request, "setup.token_rejected")
        raise InvalidSetupToken("Invalid or expired setup token", "Run `agent-hub setup-token` for a new one")
    owner = await repo.owner(db)
    if owner is not None:
        name, user_id = owner.username, owner.webauthn_user_id
    else:
        human = await agents.human_owner(db)
        if human is not None:
            name = human.name
        else:
            name = agents.validate_name(username)
            if await agents_repo.by_name(db, name) is not None:
                raise Conflict("Name already taken", "Choose another username")
        user_id = bytes_to_base64url(secrets.token_bytes(32))
    preauth = secrets.token_urlsafe(32)
    await rt.store.put(
        "setup:" + _hash(preauth), {"token_id": token.id, "username": name, "user_id": user_id}, SETUP_TTL
    )
    set_cookie(rt, response, rt.preauth_cookie, preauth, int(SETUP_TTL))
    audit.audit(request, "setup.started")
    return {"success": True, "username": name, "methods": ["passkey", "password"]}


async def passkey_options(db: AsyncSession, request: Request) -> dict[str, Any]:
    await ensure_open(db)
    key, state = await _state(request)
    options = await passkeys.registration_options(
        runtime(request), key + ":chal", user_id=state["user_id"], username=state["username"], existing=[]
    )
    return {"success": True, "publicKey": options}


async def finish_passkey(db: AsyncSession, request: Request, credential: dict[str, Any], name: str | None) -> Owner:
    await ensure_open(db)
    key, state = await _state(request)
    verified = await passkeys.verify_registration(runtime(request), key + ":chal", credential)
    owner = await _complete(db, request, key, state)
    db.add(
        Passkey(
            owner_id=owner.id,
            credential_id=verified["credential_id"],
            public_key=verified["public_key"],
            sign_count=verified["sign_count"],
            transports=verified["transports"],
            backed_up=verified["backed_up"],
            name=name or "Passkey",
            created_at=runtime(request).now(),
        )
    )
    await db.flush()
    await audit.record(db, request, owner.id, "passkey_added", name=name or "Passkey")
    return owner


async def set_password(db: AsyncSession, request: Request, password: str) -> dict[str, Any]:
    await ensure_open(db)
    key, state = await _state(request)
    check_policy(password)
    rt = runtime(request)
    secret = totp.new_secret()
    state["password_hash"] = await rt.hasher.hash(password)
    state["totp"] = rt.sealer.seal(secret, factors.TOTP_PURPOSE)
    await rt.store.put(key, state, SETUP_TTL)
    return {"success": True, "totp": totp.provisioning(secret, state["username"])}


async def finish_totp(db: AsyncSession, request: Request, code: str) -> tuple[Owner, list[str]]:
    await ensure_open(db)
    key, state = await _state(request)
    if "totp" not in state:
        raise BadRequest("No password set yet", "Call POST /auth/setup/password first")
    rt = runtime(request)
    step = totp.matching_step(rt.sealer.open(state["totp"], factors.TOTP_PURPOSE), code, rt.timestamp())
    if step is None:
        raise BadRequest(
            "That code did not match", "Check the device clock and enter the current code", code="INVALID_CODE"
        )
    owner = await _complete(db, request, key, state)
    owner.password_hash, owner.totp_secret_enc, owner.totp_last_step = state["password_hash"], state["totp"], step
    codes, rows = await factors.new_backup_codes(rt, owner.id)
    await repo.replace_backup_codes(db, owner.id, rows)
    await audit.record(db, request, owner.id, "password_changed")
    await audit.record(db, request, owner.id, "totp_reset")
    return owner, codes


async def _complete(db: AsyncSession, request: Request, key: str, state: dict[str, Any]) -> Owner:
    rt = runtime(request)
    now = rt.now()
    if not await repo.consume_setup_tokens(db, state["token_id"], now):
        raise InvalidSetupToken("Invalid or expired setup token", "Run `agent-hub setup-token` for a new one")
    owner = await repo.owner(db)
    if owner is None:
        human = await agents.human_owner(db)
        if human is None:
            human, _ = await agents.create_agent(
                db, name=state["username"], agent_type="human", allow_human=True, active=True
            )
            # The human signs in with its session; the key create_agent made is never shown.
            await db.execute(update(ApiKey).where(ApiKey.agent_id == human.id).values(revoked_at=now))
        owner = Owner(
            agent_id=human.id, username=human.name, webauthn_user_id=state["user_id"], created_at=now, updated_at=now
        )
        db.add(owner)
        await db.flush()
        await audit.record(db, request, owner.id, "owner_created", username=owner.username)
    await rt.store.delete(key)
    audit.audit(request, "setup.completed", owner_id=owner.id)
    return owner

"""Sign-in (passkey, password + TOTP/backup code), step-up and logout."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents import repository as agents_repo
from agent_hub.auth import audit, factors, passkeys, throttle
from agent_hub.auth import repository as repo
from agent_hub.auth.models import Owner
from agent_hub.auth.runtime import runtime
from agent_hub.auth.schemas import PasswordLogin, PasswordStepUp
from agent_hub.auth.sessions import OwnerContext, issue, rotate, set_cookie
from agent_hub.errors import ApiError, Unauthorized


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def invalid_credentials() -> Unauthorized:
    return Unauthorized("Invalid credentials", "Check your username, password and code", code="INVALID_CREDENTIALS")


async def passkey_challenge(request: Request, response: Response) -> dict[str, Any]:
    await throttle.before_passkey_attempt(request)
    rt = runtime(request)
    preauth = secrets.token_urlsafe(32)
    options = await passkeys.authentication_options(rt, "login:" + _hash(preauth))
    set_cookie(rt, response, rt.preauth_cookie, preauth, 600)
    return {"success": True, "publicKey": options}


async def _assert(
    db: AsyncSession, request: Request, state_key: str, credential: dict[str, Any], owner: Owner | None
) -> tuple[Owner, str]:
    """Verify an assertion; `owner` set means it must be that owner's passkey (step-up)."""
    rt = runtime(request)
    challenge = await passkeys.pop_challenge(rt, state_key)
    passkey = await repo.passkey_by_credential(db, passkeys.credential_id_of(credential))
    if passkey is None or (owner is not None and passkey.owner_id != owner.id):
        raise passkeys.failed("unknown or removed credential")
    found = owner or await repo.owner_by_id(db, passkey.owner_id)
    assert found is not None
    handle = passkeys.user_handle_of(credential)
    if (handle is None and owner is None) or (handle is not None and handle != found.webauthn_user_id):
        raise passkeys.failed("userHandle does not match the owner")
    new_count = passkeys.verify_assertion(rt, challenge, credential, passkey)
    if not await repo.bump_sign_count(db, passkey, new_count, rt.now()):
        raise passkeys.failed("concurrent use of the credential")
    return found, passkey.id


async def passkey_login(
    db: AsyncSession, request: Request, response: Response, credential: dict[str, Any]
) -> dict[str, Any]:
    await throttle.before_passkey_attempt(request)
    rt = runtime(request)
    preauth = request.cookies.get(rt.preauth_cookie)
    try:
        if not preauth or len(preauth) > 128:
            raise passkeys.failed("no pre-auth cookie")
        owner, passkey_id = await _assert(db, request, "login:" + _hash(preauth), credential, None)
    except ApiError:
        audit.attempt(request, "passkey", False)
        raise
    return await signed_in(db, request, response, owner, "passkey", passkey_id=passkey_id)


async def password_login(db: AsyncSession, request: Request, response: Response, body: PasswordLogin) -> dict[str, Any]:
    await throttle.before_password_attempt(request, body.username)
    rt = runtime(request)
    owner = await repo.owner(db)
    if owner is not None and agents_repo.name_key(owner.username) != agents_repo.name_key(body.username):
        owner = None
    method = await factors.check_password_and_code(db, rt, owner, body.password, body.totp_code, body.backup_code)
    if method is None or owner is None:
        await throttle.password_failed(request, body.username)
        audit.attempt(request, "password", False, username_sha=_hash(body.username.strip().lower())[:12])
        raise invalid_credentials()
    if method == "password_backup_code":
        await audit.record(
            db, request, owner.id, "backup_code_used", remaining=await repo.backup_codes_remaining(db, owner.id)
        )
    return await signed_in(db, request, response, owner, method)


async def signed_in(
    db: AsyncSession, request: Request, response: Response, owner: Owner, method: str, **fields: Any
) -> dict[str, Any]:
    from agent_hub.auth.sessions import owner_out, session_out

    agent = await agents_repo.by_id(db, owner.agent_id)
    assert agent is not None
    row = await issue(db, request, response, owner, method)
    audit.attempt(request, method, True, owner_id=owner.id, session_id=row.id, **fields)
    return {"success": True, "owner": owner_out(owner, agent), "session": session_out(runtime(request), row, row.id)}


async def step_up_challenge(db: AsyncSession, request: Request, ctx: OwnerContext) -> dict[str, Any]:
    await throttle.before_passkey_attempt(request)
    options = await passkeys.authentication_options(
        runtime(request), "stepup:" + ctx.session.id, await repo.passkeys(db, ctx.owner.id)
    )
    return {"success": True, "publicKey": options}


async def step_up_passkey(
    db: AsyncSession, request: Request, response: Response, ctx: OwnerContext, credential: dict[str, Any]
) -> None:
    await throttle.before_passkey_attempt(request)
    try:
        await _assert(db, request, "stepup:" + ctx.session.id, credential, ctx.owner)
    except ApiError:
        audit.attempt(request, "step_up_passkey", False)
        raise
    await rotate(db, request, response, ctx.session, "passkey")
    audit.attempt(request, "step_up_passkey", True, session_id=ctx.session.id)


async def step_up_password(
    db: AsyncSession, request: Request, response: Response, ctx: OwnerContext, body: PasswordStepUp
) -> None:
    await throttle.before_password_attempt(request, ctx.owner.username)
    rt = runtime(request)
    method = await factors.check_password_and_code(db, rt, ctx.owner, body.password, body.totp_code, body.backup_code)
    if method is None:
        await throttle.password_failed(request, ctx.owner.username)
        audit.attempt(request, "step_up_password", False)
        raise invalid_credentials()
    await rotate(db, request, response, ctx.session, method)
    audit.attempt(request, "step_up_password", True, session_id=ctx.session.id)

"""/auth: status, first-run setup, sign-in, step-up and logout (contract: docs/auth-api.md)."""

from __future__ import annotations

from fastapi import APIRouter, Body, Request, Response

from agent_hub.auth import login, setup
from agent_hub.auth import repository as repo
from agent_hub.auth.account import factors_out
from agent_hub.auth.runtime import runtime
from agent_hub.auth.schemas import (
    AssertionIn,
    CodeIn,
    CredentialIn,
    PasswordIn,
    PasswordLogin,
    PasswordStepUp,
    SetupStart,
)
from agent_hub.auth.sessions import OwnerSession, clear_cookie, lookup, owner_out, session_out
from agent_hub.db.uow import CommitRoute, DbSession

router = APIRouter(prefix="/auth", tags=["auth"], route_class=CommitRoute)


@router.get("/status", operation_id="authStatus")
async def status(request: Request, db: DbSession) -> dict:
    ctx = await lookup(request, db)
    return {
        "success": True,
        "setup_required": await setup.setup_required(db),
        "authenticated": ctx is not None,
        "owner": owner_out(ctx.owner, ctx.agent) if ctx else None,
        "session": session_out(runtime(request), ctx.session, ctx.session.id) if ctx else None,
        "factors": await factors_out(db, ctx) if ctx else None,
    }


@router.post("/setup/start", operation_id="setupStart")
async def setup_start(request: Request, response: Response, db: DbSession, body: SetupStart = Body(...)) -> dict:
    return await setup.start(db, request, response, body.setup_token, body.username)


@router.post("/setup/passkey/options", operation_id="setupPasskeyOptions")
async def setup_passkey_options(request: Request, db: DbSession) -> dict:
    return await setup.passkey_options(db, request)


@router.post("/setup/passkey", status_code=201, operation_id="setupPasskey")
async def setup_passkey(request: Request, response: Response, db: DbSession, body: CredentialIn = Body(...)) -> dict:
    owner = await setup.finish_passkey(db, request, body.credential, body.name)
    return await login.signed_in(db, request, response, owner, "passkey")


@router.post("/setup/password", operation_id="setupPassword")
async def setup_password(request: Request, db: DbSession, body: PasswordIn = Body(...)) -> dict:
    return await setup.set_password(db, request, body.password)


@router.post("/setup/totp", status_code=201, operation_id="setupTotp")
async def setup_totp(request: Request, response: Response, db: DbSession, body: CodeIn = Body(...)) -> dict:
    owner, codes = await setup.finish_totp(db, request, body.code)
    out = await login.signed_in(db, request, response, owner, "password_totp")
    return {**out, "backup_codes": codes}


@router.post("/login/passkey/challenge", operation_id="loginPasskeyChallenge")
async def passkey_challenge(request: Request, response: Response) -> dict:
    return await login.passkey_challenge(request, response)


@router.post("/login/passkey", operation_id="loginPasskey")
async def passkey_login(request: Request, response: Response, db: DbSession, body: AssertionIn = Body(...)) -> dict:
    return await login.passkey_login(db, request, response, body.credential)


@router.post("/login/password", operation_id="loginPassword")
async def password_login(request: Request, response: Response, db: DbSession, body: PasswordLogin = Body(...)) -> dict:
    return await login.password_login(db, request, response, body)


@router.post("/logout", operation_id="logout")
async def logout(request: Request, response: Response, db: DbSession) -> dict:
    from agent_hub import metrics
    from agent_hub.auth.audit import audit

    rt = runtime(request)
    ctx = await lookup(request, db)
    if ctx is not None:
        await repo.delete_session(db, ctx.owner.id, ctx.session.id)
        metrics.ACTIVE_SESSIONS.set(await repo.count_live_sessions(db, rt.now()))
        audit(request, "logout", owner_id=ctx.owner.id, session_id=ctx.session.id)
    clear_cookie(rt, response, rt.session_cookie)
    clear_cookie(rt, response, rt.preauth_cookie)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return {"success": True}


@router.post("/step-up/passkey/challenge", operation_id="stepUpPasskeyChallenge")
async def step_up_challenge(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    return await login.step_up_challenge(db, request, ctx)


@router.post("/step-up/passkey", operation_id="stepUpPasskey")
async def step_up_passkey(
    request: Request, response: Response, db: DbSession, ctx: OwnerSession, body: AssertionIn = Body(...)
) -> dict:
    await login.step_up_passkey(db, request, response, ctx, body.credential)
    return {"success": True, "session": session_out(runtime(request), ctx.session, ctx.session.id)}


@router.post("/step-up/password", operation_id="stepUpPassword")
async def step_up_password(
    request: Request, response: Response, db: DbSession, ctx: OwnerSession, body: PasswordStepUp = Body(...)
) -> dict:
    await login.step_up_password(db, request, response, ctx, body)
    return {"success": True, "session": session_out(runtime(request), ctx.session, ctx.session.id)}

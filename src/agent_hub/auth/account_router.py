"""/auth: the signed-in owner's sessions, passkeys, password, TOTP, backup codes and events."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request, Response

from agent_hub.auth import account
from agent_hub.auth import repository as repo
from agent_hub.auth.runtime import runtime
from agent_hub.auth.schemas import CodeIn, CredentialIn, PasswordChange, Rename
from agent_hub.auth.sessions import OwnerSession, clear_cookie, session_out
from agent_hub.common.time import iso
from agent_hub.db.uow import CommitRoute, DbSession

router = APIRouter(prefix="/auth", tags=["auth"], route_class=CommitRoute)


@router.get("/sessions", operation_id="listSessions")
async def list_sessions(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    rt = runtime(request)
    rows = await repo.sessions(db, ctx.owner.id)
    return {"success": True, "sessions": [session_out(rt, r, ctx.session.id) for r in rows if r.expires_at > rt.now()]}


@router.delete("/sessions/{session_id}", operation_id="revokeSession")
async def revoke_session(
    request: Request, response: Response, db: DbSession, ctx: OwnerSession, session_id: str
) -> dict:
    if await account.revoke_session(db, request, ctx, session_id):
        clear_cookie(runtime(request), response, runtime(request).session_cookie)
    return {"success": True}


@router.post("/sessions/revoke-others", operation_id="revokeOtherSessions")
async def revoke_others(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    return {"success": True, "revoked": await account.revoke_others(db, request, ctx)}


@router.get("/passkeys", operation_id="listPasskeys")
async def list_passkeys(db: DbSession, ctx: OwnerSession) -> dict:
    return {"success": True, "passkeys": [account.passkey_out(p) for p in await repo.passkeys(db, ctx.owner.id)]}


@router.post("/passkeys/options", operation_id="addPasskeyOptions")
async def add_passkey_options(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    return await account.add_passkey_options(db, request, ctx)


@router.post("/passkeys", status_code=201, operation_id="addPasskey")
async def add_passkey(request: Request, db: DbSession, ctx: OwnerSession, body: CredentialIn = Body(...)) -> dict:
    row = await account.add_passkey(db, request, ctx, body.credential, body.name)
    return {"success": True, "passkey": account.passkey_out(row)}


@router.patch("/passkeys/{passkey_id}", operation_id="renamePasskey")
async def rename_passkey(
    request: Request, db: DbSession, ctx: OwnerSession, passkey_id: str, body: Rename = Body(...)
) -> dict:
    row = await account.rename_passkey(db, request, ctx, passkey_id, body.name)
    return {"success": True, "passkey": account.passkey_out(row)}


@router.delete("/passkeys/{passkey_id}", operation_id="removePasskey")
async def remove_passkey(request: Request, db: DbSession, ctx: OwnerSession, passkey_id: str) -> dict:
    await account.remove_passkey(db, request, ctx, passkey_id)
    return {"success": True}


@router.post("/password", operation_id="changePassword")
async def change_password(request: Request, db: DbSession, ctx: OwnerSession, body: PasswordChange = Body(...)) -> dict:
    revoked = await account.change_password(
        db, request, ctx, body.current_password, body.new_password, body.end_other_sessions
    )
    return {"success": True, "revoked_sessions": revoked}


@router.post("/totp/enroll", operation_id="enrollTotp")
async def totp_enroll(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    return await account.totp_enroll(db, request, ctx)


@router.post("/totp/confirm", operation_id="confirmTotp")
async def totp_confirm(request: Request, db: DbSession, ctx: OwnerSession, body: CodeIn = Body(...)) -> dict:
    await account.totp_confirm(db, request, ctx, body.code)
    return {"success": True}


@router.get("/backup-codes", operation_id="backupCodesRemaining")
async def backup_codes_remaining(db: DbSession, ctx: OwnerSession) -> dict:
    return {"success": True, "remaining": await repo.backup_codes_remaining(db, ctx.owner.id)}


@router.post("/backup-codes", operation_id="regenerateBackupCodes")
async def regenerate_backup_codes(request: Request, db: DbSession, ctx: OwnerSession) -> dict:
    return {"success": True, "backup_codes": await account.regenerate_backup_codes(db, request, ctx)}


@router.get("/events", operation_id="securityEvents")
async def events(db: DbSession, ctx: OwnerSession, limit: int = Query(50, ge=1, le=200)) -> dict:
    rows = await repo.events(db, ctx.owner.id, limit)
    return {
        "success": True,
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "created_at": iso(e.created_at),
                "ip": e.ip,
                "user_agent": e.user_agent,
                "detail": e.detail or {},
            }
            for e in rows
        ],
    }

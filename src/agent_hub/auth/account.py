"""The signed-in owner's sign-in methods and sessions. Changes to factors need a fresh factor
(`require_fresh`) and leave a security event."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.auth import audit, factors, passkeys, totp
from agent_hub.auth import repository as repo
from agent_hub.auth.models import Passkey
from agent_hub.auth.passwords import check_policy
from agent_hub.auth.runtime import runtime
from agent_hub.auth.sessions import OwnerContext, require_fresh
from agent_hub.common.time import iso
from agent_hub.errors import BadRequest, Conflict, Forbidden, NotFound

TOTP_ENROL_TTL = 600.0


def passkey_out(p: Passkey) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "created_at": iso(p.created_at),
        "last_used_at": iso(p.last_used_at),
        "backed_up": p.backed_up,
        "transports": p.transports or [],
    }


async def factors_out(db: AsyncSession, ctx: OwnerContext) -> dict[str, Any]:
    o = ctx.owner
    return {
        "passkeys": await repo.passkey_count(db, o.id),
        "password": o.password_hash is not None,
        "totp": o.totp_secret_enc is not None,
        "backup_codes_remaining": await repo.backup_codes_remaining(db, o.id),
    }


async def add_passkey_options(db: AsyncSession, request: Request, ctx: OwnerContext) -> dict[str, Any]:
    await require_fresh(request, db, ctx)
    options = await passkeys.registration_options(
        runtime(request),
        "addpk:" + ctx.session.id,
        user_id=ctx.owner.webauthn_user_id,
        username=ctx.owner.username,
        existing=await repo.passkeys(db, ctx.owner.id),
    )
    return {"success": True, "publicKey": options}


async def add_passkey(
    db: AsyncSession, request: Request, ctx: OwnerContext, credential: dict[str, Any], name: str | None
) -> Passkey:
    await require_fresh(request, db, ctx)
    v = await passkeys.verify_registration(runtime(request), "addpk:" + ctx.session.id, credential)
    if await repo.passkey_by_credential(db, v["credential_id"]) is not None:
        raise passkeys.failed("credential already registered")
    row = Passkey(
        owner_id=ctx.owner.id,
        credential_id=v["credential_id"],
        public_key=v["public_key"],
        sign_count=v["sign_count"],
        transports=v["transports"],
        backed_up=v["backed_up"],
        name=(name or "Passkey").strip() or "Passkey",
        created_at=runtime(request).now(),
    )
    db.add(row)
    await db.flush()
    await audit.record(db, request, ctx.owner.id, "passkey_added", passkey_id=row.id, name=row.name)
    return row


async def rename_passkey(db: AsyncSession, request: Request, ctx: OwnerContext, passkey_id: str, name: str) -> Passkey:
    row = await repo.passkey_of(db, ctx.owner.id, passkey_id)
    if row is None:
        raise NotFound("Passkey not found", "List your passkeys with GET /auth/passkeys")
    row.name = name.strip() or row.name
    await db.flush()
    await audit.record(db, request, ctx.owner.id, "passkey_renamed", passkey_id=row.id, name=row.name)
    return row


async def remove_passkey(db: AsyncSession, request: Request, ctx: OwnerContext, passkey_id: str) -> None:
    row = await repo.passkey_of(db, ctx.owner.id, passkey_id)
    if row is None:
        raise NotFound("Passkey not found", "List your passkeys with GET /auth/passkeys")
    await require_fresh(request, db, ctx)
    has_password = ctx.owner.password_hash is not None and ctx.owner.totp_secret_enc is not None
    if not has_password and await repo.passkey_count(db, ctx.owner.id) <= 1:
        raise Conflict(
            "This is your last way to sign in", "Add another passkey or a password + TOTP first", code="LAST_FACTOR"
        )
    await db.delete(row)
    await db.flush()
    await audit.record(db, request, ctx.owner.id, "passkey_removed", passkey_id=passkey_id, name=row.name)


async def change_password(
    db: AsyncSession, request: Request, ctx: OwnerContext, current: str | None, new: str, end_others: bool
) -> int:
    await require_fresh(request, db, ctx)
    rt = runtime(request)
    if ctx.owner.password_hash is not None:
        if not current or not await rt.hasher.verify(ctx.owner.password_hash, current):
            audit.audit(request, "password.change_refused", owner_id=ctx.owner.id)
            raise Forbidden("Current password is wrong", "Enter your current password")
    check_policy(new)
    ctx.owner.password_hash = await rt.hasher.hash(new)
    ctx.owner.updated_at = rt.now()
    revoked = await repo.delete_sessions(db, ctx.owner.id, keep=ctx.session.id) if end_others else 0
    await audit.record(db, request, ctx.owner.id, "password_changed", revoked_sessions=revoked)
    return revoked


async def totp_enroll(db: AsyncSession, request: Request, ctx: OwnerContext) -> dict[str, Any]:
    await require_fresh(request, db, ctx)
    rt = runtime(request)
    secret = totp.new_secret()
    await rt.store.put("totp:" + ctx.session.id, {"seed": rt.sealer.seal(secret, factors.TOTP_PURPOSE)}, TOTP_ENROL_TTL)
    return {"success": True, "totp": totp.provisioning(secret, ctx.owner.username)}


async def totp_confirm(db: AsyncSession, request: Request, ctx: OwnerContext, code: str) -> None:
    await require_fresh(request, db, ctx)
    rt = runtime(request)
    pending = await rt.store.get("totp:" + ctx.session.id)
    if pending is None:
        raise BadRequest("No TOTP enrolment in progress", "Call POST /auth/totp/enroll first")
    step = totp.matching_step(rt.sealer.open(pending["seed"], factors.TOTP_PURPOSE), code, rt.timestamp())
    if step is None:
        raise BadRequest("That code did not match", "Enter the current code from the new entry", code="INVALID_CODE")
    await rt.store.delete("totp:" + ctx.session.id)
    ctx.owner.totp_secret_enc, ctx.owner.totp_last_step, ctx.owner.updated_at = pending["seed"], step, rt.now()
    await db.flush()
    await audit.record(db, request, ctx.owner.id, "totp_reset")


async def regenerate_backup_codes(db: AsyncSession, request: Request, ctx: OwnerContext) -> list[str]:
    await require_fresh(request, db, ctx)
    codes, rows = await factors.new_backup_codes(runtime(request), ctx.owner.id)
    await repo.replace_backup_codes(db, ctx.owner.id, rows)
    await audit.record(db, request, ctx.owner.id, "backup_codes_regenerated", count=len(codes))
    return codes


async def revoke_session(db: AsyncSession, request: Request, ctx: OwnerContext, session_id: str) -> bool:
    """True when the caller revoked its own session (the router then clears the cookie)."""
    if session_id != ctx.session.id:
        await require_fresh(request, db, ctx)
    if not await repo.delete_session(db, ctx.owner.id, session_id):
        raise NotFound("Session not found", "List your sessions with GET /auth/sessions")
    await audit.record(db, request, ctx.owner.id, "session_revoked", session_id=session_id)
    return session_id == ctx.session.id


async def revoke_others(db: AsyncSession, request: Request, ctx: OwnerContext) -> int:
    await require_fresh(request, db, ctx)
    n = await repo.delete_sessions(db, ctx.owner.id, keep=ctx.session.id)
    await audit.record(db, request, ctx.owner.id, "sessions_revoked", count=n)
    return n

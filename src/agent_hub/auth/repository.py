"""SQL for the owner, factors, sessions and setup tokens. Single-use secrets are consumed with
conditional UPDATEs, so two concurrent requests cannot both use one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.auth.models import AuthSession, BackupCode, Owner, Passkey, SecurityEvent, SetupToken
from agent_hub.events import credentials_changed


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _changed(result: object) -> bool:
    return _rows(result) > 0


async def owner(db: AsyncSession) -> Owner | None:
    return (await db.execute(select(Owner).order_by(Owner.created_at).limit(1))).scalar_one_or_none()


async def owner_by_id(db: AsyncSession, owner_id: str) -> Owner | None:
    return await db.get(Owner, owner_id)


async def passkey_count(db: AsyncSession, owner_id: str) -> int:
    q = select(func.count()).select_from(Passkey).where(Passkey.owner_id == owner_id)
    return int((await db.execute(q)).scalar_one())


async def passkeys(db: AsyncSession, owner_id: str) -> list[Passkey]:
    q = select(Passkey).where(Passkey.owner_id == owner_id).order_by(Passkey.created_at)
    return list((await db.execute(q)).scalars())


async def passkey_by_credential(db: AsyncSession, credential_id: str) -> Passkey | None:
    return (await db.execute(select(Passkey).where(Passkey.credential_id == credential_id))).scalar_one_or_none()


async def passkey_of(db: AsyncSession, owner_id: str, passkey_id: str) -> Passkey | None:
    q = select(Passkey).where(Passkey.id == passkey_id, Passkey.owner_id == owner_id)
    return (await db.execute(q)).scalar_one_or_none()


async def bump_sign_count(db: AsyncSession, passkey: Passkey, new_count: int, now: datetime) -> bool:
    result = await db.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
        .values(sign_count=new_count, last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


async def accept_totp_step(db: AsyncSession, owner_id: str, step: int) -> bool:
    result = await db.execute(
        update(Owner)
        .where(Owner.id == owner_id, (Owner.totp_last_step.is_(None)) | (Owner.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


async def backup_code(db: AsyncSession, owner_id: str, lookup: str) -> BackupCode | None:
    q = select(BackupCode).where(
        BackupCode.owner_id == owner_id, BackupCode.lookup == lookup, BackupCode.used_at.is_(None)
    )
    return (await db.execute(q)).scalar_one_or_none()


async def use_backup_code(db: AsyncSession, code_id: str, now: datetime) -> bool:
    result = await db.execute(
        update(BackupCode)
        .where(BackupCode.id == code_id, BackupCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


async def backup_codes_remaining(db: AsyncSession, owner_id: str) -> int:
    q = (
        select(func.count())
        .select_from(BackupCode)
        .where(BackupCode.owner_id == owner_id, BackupCode.used_at.is_(None))
    )
    return int((await db.execute(q)).scalar_one())


async def replace_backup_codes(db: AsyncSession, owner_id: str, rows: list[BackupCode]) -> None:
    await db.execute(delete(BackupCode).where(BackupCode.owner_id == owner_id))
    db.add_all(rows)
    await db.flush()


async def session_by_hash(db: AsyncSession, token_hash: str) -> tuple[AuthSession, Owner, Agent] | None:
    row = (
        await db.execute(
            select(AuthSession, Owner, Agent)
            .join(Owner, Owner.id == AuthSession.owner_id)
            .join(Agent, Agent.id == Owner.agent_id)
            .where(AuthSession.token_hash == token_hash)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def sessions(db: AsyncSession, owner_id: str) -> list[AuthSession]:
    q = select(AuthSession).where(AuthSession.owner_id == owner_id).order_by(AuthSession.created_at.desc())
    return list((await db.execute(q)).scalars())


async def delete_session(db: AsyncSession, owner_id: str, session_id: str) -> bool:
    result = await db.execute(
        delete(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.owner_id == owner_id)
        .execution_options(synchronize_session=False)
    )
    credentials_changed(db, owner_id=owner_id)  # sockets opened with it close
    return _changed(result)


async def delete_sessions(db: AsyncSession, owner_id: str, keep: str | None = None) -> int:
    q = delete(AuthSession).where(AuthSession.owner_id == owner_id)
    if keep:
        q = q.where(AuthSession.id != keep)
    result = await db.execute(q.execution_options(synchronize_session=False))
    credentials_changed(db, owner_id=owner_id)
    return _rows(result)


async def count_live_sessions(db: AsyncSession, now: datetime) -> int:
    q = select(func.count()).select_from(AuthSession).where(AuthSession.expires_at > now)
    return int((await db.execute(q)).scalar_one())


async def setup_token(db: AsyncSession, token_hash: str, now: datetime) -> SetupToken | None:
    q = select(SetupToken).where(
        SetupToken.token_hash == token_hash, SetupToken.used_at.is_(None), SetupToken.expires_at > now
    )
    return (await db.execute(q)).scalar_one_or_none()


async def consume_setup_tokens(db: AsyncSession, token_id: str, now: datetime) -> bool:
    """Use `token_id` (once) and void every other outstanding token."""
    result = await db.execute(
        update(SetupToken)
        .where(SetupToken.id == token_id, SetupToken.used_at.is_(None), SetupToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not _changed(result):
        return False
    await db.execute(
        update(SetupToken)
        .where(SetupToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return True


async def events(db: AsyncSession, owner_id: str, limit: int) -> list[SecurityEvent]:
    q = (
        select(SecurityEvent)
        .where(SecurityEvent.owner_id == owner_id)
        .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id)
        .limit(limit)
    )
    return list((await db.execute(q)).scalars())

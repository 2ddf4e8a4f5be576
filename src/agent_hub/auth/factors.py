"""Second factors and the password check shared by login and step-up: constant work for every
outcome (unknown user, wrong password, wrong code), TOTP steps and backup codes used once."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.auth import repository as repo
from agent_hub.auth import totp
from agent_hub.auth.models import BackupCode, Owner
from agent_hub.auth.runtime import AuthRuntime

log = logging.getLogger("agent_hub.audit")
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o/1/l/i
BACKUP_COUNT = 10
TOTP_PURPOSE = "totp-seed"


def _group(n: int = 4) -> str:
    return "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(n))


async def new_backup_codes(rt: AuthRuntime, owner_id: str) -> tuple[list[str], list[BackupCode]]:
    """Ten codes `llll-ssss-ssss`: `llll` finds the row, `ssss-ssss` (~39 bits) is argon2id-hashed."""
    codes: list[str] = []
    rows: list[BackupCode] = []
    lookups: set[str] = set()
    while len(codes) < BACKUP_COUNT:
        lookup = _group()
        if lookup in lookups:
            continue
        lookups.add(lookup)
        secret = f"{_group()}-{_group()}"
        codes.append(f"{lookup}-{secret}")
        rows.append(BackupCode(owner_id=owner_id, lookup=lookup, code_hash=await rt.hasher.hash(secret)))
    return codes, rows


def _split_backup(code: str) -> tuple[str, str]:
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    if len(cleaned) != 12:
        return "", ""
    return cleaned[:4], f"{cleaned[4:8]}-{cleaned[8:]}"


async def check_password_and_code(
    db: AsyncSession,
    rt: AuthRuntime,
    owner: Owner | None,
    password: str,
    totp_code: str | None,
    backup_code: str | None,
) -> str | None:
    """Return the method name on success, None on any failure. Same work on every path."""
    password_ok = await rt.hasher.verify(owner.password_hash if owner else None, password)
    usable = owner is not None and owner.password_hash is not None and owner.totp_secret_enc is not None
    if backup_code is not None:
        lookup, secret = _split_backup(backup_code)
        row = await repo.backup_code(db, owner.id, lookup) if (usable and owner and lookup) else None
        code_ok = await rt.hasher.verify(row.code_hash if row else None, secret or "x")
        if not (usable and password_ok and code_ok and row is not None):
            return None
        assert owner is not None
        if not await repo.use_backup_code(db, row.id, rt.now()):
            return None
        if rt.hasher.needs_rehash(owner.password_hash or ""):
            owner.password_hash = await rt.hasher.hash(password)
        return "password_backup_code"
    seed = rt.sealer.open(owner.totp_secret_enc or "", TOTP_PURPOSE) if usable and owner else totp.new_secret()
    step = totp.matching_step(seed, totp_code or "", rt.timestamp())
    if not (usable and password_ok and step is not None):
        return None
    assert owner is not None and step is not None
    if not await repo.accept_totp_step(db, owner.id, step):
        log.warning("totp code replayed", extra={"event": "login.totp_replay", "owner_id": owner.id})
        return None
    if rt.hasher.needs_rehash(owner.password_hash or ""):
        owner.password_hash = await rt.hasher.hash(password)
    return "password_totp"

"""SQL for idempotency keys: claim, finish, forget, prune. Each call is its own short
transaction, never the request's: the claim must be visible to a concurrent duplicate before
the handler runs, and the stored response must survive after the handler's commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from agent_hub.agents.models import ApiKey
from agent_hub.db.base import utcnow
from agent_hub.idempotency.models import IdempotencyKey


@dataclass(frozen=True)
class Claim:
    """What `claim` found: `run` (we own the key now), `replay`, `mismatch` or `busy`."""

    outcome: str
    row: IdempotencyKey | None = None


async def agent_for_key_hash(sessionmaker: async_sessionmaker[Any], key_hash: str) -> str | None:
    async with sessionmaker() as db:
        query = select(ApiKey.agent_id).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        found = await db.execute(query)
        return found.scalar_one_or_none()


async def claim(
    sessionmaker: async_sessionmaker[Any],
    *,
    key_hash: str,
    request_hash: str,
    method: str,
    path: str,
    ttl: timedelta,
    lease: timedelta,
) -> Claim:
    now = utcnow()
    values = {
        "key_hash": key_hash, "request_hash": request_hash, "method": method, "path": path[:300],
        "state": "in_progress", "locked_until": now + lease, "created_at": now, "expires_at": now + ttl,
    }
    async with sessionmaker() as db:
        try:
            async with db.begin():
                await db.execute(insert(IdempotencyKey).values(**values))
            return Claim("run")
        except IntegrityError:
            pass
        async with db.begin():
            query = select(IdempotencyKey).where(IdempotencyKey.key_hash == key_hash)
            row = (await db.execute(query)).scalar_one_or_none()
            if row is None:  # finished with an error and was forgotten meanwhile: try again
                return Claim("busy")
            if row.expires_at <= now:
                taken = await db.execute(
                    update(IdempotencyKey)
                    .where(IdempotencyKey.key_hash == key_hash, IdempotencyKey.expires_at <= now)
                    .values(**{k: v for k, v in values.items() if k != "key_hash"},
                            response_status=None, response_headers=None, response_body=None)
                )
                return Claim("run") if taken.rowcount else Claim("busy")
            if row.request_hash != request_hash:
                return Claim("mismatch", row)
            if row.state == "completed":
                return Claim("replay", row)
            if row.locked_until is not None and row.locked_until <= now:
                # The first request's process died before finishing: take the key over.
                taken = await db.execute(
                    update(IdempotencyKey)
                    .where(IdempotencyKey.key_hash == key_hash, IdempotencyKey.state == "in_progress",
                           IdempotencyKey.locked_until == row.locked_until)
                    .values(locked_until=now + lease)
                )
                return Claim("run") if taken.rowcount else Claim("busy")
            return Claim("busy", row)


async def finish(
    sessionmaker: async_sessionmaker[Any], key_hash: str, status: int, headers: list[list[str]], body: bytes
) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key_hash == key_hash)
            .values(state="completed", locked_until=None, response_status=status,
                    response_headers=headers, response_body=body)
        )


async def forget(sessionmaker: async_sessionmaker[Any], key_hash: str) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            delete(IdempotencyKey).where(IdempotencyKey.key_hash == key_hash, IdempotencyKey.state == "in_progress")
        )


async def prune(sessionmaker: async_sessionmaker[Any], now: datetime | None = None) -> int:
    async with sessionmaker() as db, db.begin():
        result = await db.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow())))
        return int(result.rowcount or 0)

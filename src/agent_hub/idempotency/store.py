"""SQL for idempotency keys: claim, heartbeat, complete, finish, forget, prune.

`claim`, `heartbeat`, `finish` and `forget` are their own short transactions: the claim must be
visible to a concurrent duplicate before the handler runs. `complete` runs inside the handler's
own transaction, so the created resource and its stored response commit together (a crash can
never leave one without the other). A claim is identified by its `created_at` (set anew when a
dead request's key is taken over): every later write names it, so a request that lost its claim
can neither store its response nor release the new owner's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agent_hub.agents.models import ApiKey
from agent_hub.db.base import utcnow
from agent_hub.idempotency.models import IdempotencyKey


@dataclass(frozen=True)
class Claim:
    """What `claim` found: `run` (we own the key now), `replay`, `mismatch` or `busy`."""

    outcome: str
    row: IdempotencyKey | None = None
    token: datetime | None = None  # the claim's created_at (outcome "run")


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
        "key_hash": key_hash,
        "request_hash": request_hash,
        "method": method,
        "path": path[:300],
        "state": "in_progress",
        "locked_until": now + lease,
        "created_at": now,
        "expires_at": now + ttl,
    }
    async with sessionmaker() as db:
        try:
            async with db.begin():
                await db.execute(insert(IdempotencyKey).values(**values))
            return Claim("run", token=now)
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
                    .values(
                        **{k: v for k, v in values.items() if k != "key_hash"},
                        response_status=None,
                        response_headers=None,
                        response_body=None,
                    )
                )
                return Claim("run", token=now) if taken.rowcount else Claim("busy")
            if row.request_hash != request_hash:
                return Claim("mismatch", row)
            if row.state == "completed":
                return Claim("replay", row)
            if row.locked_until is not None and row.locked_until <= now:
                # The first request's process died before finishing: take the key over.
                taken = await db.execute(
                    update(IdempotencyKey)
                    .where(
                        IdempotencyKey.key_hash == key_hash,
                        IdempotencyKey.state == "in_progress",
                        IdempotencyKey.locked_until == row.locked_until,
                    )
                    .values(locked_until=now + lease, created_at=now)
                )
                return Claim("run", token=now) if taken.rowcount else Claim("busy")
            return Claim("busy", row)


def _owned(key_hash: str, token: datetime) -> Any:
    return (
        IdempotencyKey.key_hash == key_hash,
        IdempotencyKey.state == "in_progress",
        IdempotencyKey.created_at == token,
    )


async def heartbeat(sessionmaker: async_sessionmaker[Any], key_hash: str, token: datetime, lease: timedelta) -> bool:
    """Extend a running request's lease; False when the claim was lost (taken over)."""
    async with sessionmaker() as db, db.begin():
        result = await db.execute(
            update(IdempotencyKey).where(*_owned(key_hash, token)).values(locked_until=utcnow() + lease)
        )
        return bool(result.rowcount)


async def complete(
    db: AsyncSession, key_hash: str, token: datetime, status: int, headers: list[list[str]], body: bytes
) -> bool:
    """Store the response in the caller's (the handler's) transaction; False if not ours."""
    result = await db.execute(
        update(IdempotencyKey)
        .where(*_owned(key_hash, token))
        .values(
            state="completed", locked_until=None, response_status=status, response_headers=headers, response_body=body
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def finish(
    sessionmaker: async_sessionmaker[Any],
    key_hash: str,
    token: datetime,
    status: int,
    headers: list[list[str]],
    body: bytes,
) -> None:
    """Fallback for a route that had no database session to complete in (a no-op otherwise)."""
    async with sessionmaker() as db, db.begin():
        await complete(db, key_hash, token, status, headers, body)


async def forget(sessionmaker: async_sessionmaker[Any], key_hash: str, token: datetime) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(delete(IdempotencyKey).where(*_owned(key_hash, token)))


async def prune(sessionmaker: async_sessionmaker[Any], now: datetime | None = None) -> int:
    async with sessionmaker() as db, db.begin():
        result = await db.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow())))
        return int(result.rowcount or 0)

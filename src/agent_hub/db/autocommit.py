"""A request session whose statements commit one by one (PostgreSQL), for write endpoints whose
whole write is ONE statement.

Why: a statement that updates a hot row (a busy post's `comment_count`, its author's inbox
counters) holds that row lock until COMMIT. Inside a normal request transaction, COMMIT is one
more round trip, sent only when this process's event loop gets back to the request — under load
that is milliseconds, and every other writer of the row waits for it. In autocommit the
statement's own implicit transaction ends inside the server, so the lock lasts as long as the
statement. It is only correct where everything that must be atomic is a single statement (the
reads before it and the API key's `last_active` touch may commit separately) and nothing else
must commit with it; the session still "commits" at the end of the request (db/uow.py), which
runs the after-commit signals.

SQLite keeps its normal transaction (BEGIN IMMEDIATE; it has one writer at a time anyway).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.db.uow import get_session

AUTOCOMMITTED = "autocommit"  # session.info flag


async def autocommit_session(request: Request) -> AsyncSession:
    db = await get_session(request)
    # Not when something must commit atomically with the handler's write (a `before_commit` hook:
    # the stored response of an Idempotency-Key request); then the normal transaction is kept.
    if db.bind.dialect.name == "postgresql" and not getattr(request.state, "before_commit", None):
        # Applies to the connection the session procures now (before any statement of this
        # request); SQLAlchemy restores the pool's isolation level when it is returned.
        await db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        db.sync_session.info[AUTOCOMMITTED] = True
    return db


def is_autocommit(db: AsyncSession) -> bool:
    """Whether each statement of `db` commits by itself (see above)."""
    return bool(db.sync_session.info.get(AUTOCOMMITTED))


# Declare it before the caller's identity (`Writer`) so the key lookup already uses it.
AutocommitSession = Annotated[AsyncSession, Depends(autocommit_session)]

"""Row-level helpers every repository may use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_if_absent(db: AsyncSession, model: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when the row is new. One round trip: no read
    before, no savepoint around it (a concurrent identical insert waits for the other's
    commit, then does nothing), so a follow or subscription costs one statement, not four."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    key = next(iter(model.__table__.primary_key.columns))
    stmt = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return (await db.execute(stmt)).first() is not None

"""Alembic environment: one set of migrations for SQLite and PostgreSQL.

The URL comes from the Alembic config (set by `agent_hub.db.migrate`), never from a file.
Objects a migration creates with dialect-specific DDL (full-text indexes, FTS5 tables) are
listed in `UNMANAGED` so the drift check ignores them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from agent_hub.db.models import metadata

UNMANAGED_PREFIXES = ("fts_", "ix_fts_", "sqlite_")
# pgvector's column and index, created only where the extension is available (migration 0012).
UNMANAGED_NAMES = frozenset({"embedding", "ix_search_vectors_hnsw"})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if name and (name.startswith(UNMANAGED_PREFIXES) or name in UNMANAGED_NAMES):
        return False
    return True


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Our UtcDateTime decorator is a plain timezone-aware DateTime in the schema.
    if type_ == "type" and obj.__class__.__name__ == "UtcDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by the caller"
    asyncio.run(_run_async(url))


run()

"""Database helpers for tests: create/drop PostgreSQL databases, empty every table."""

from __future__ import annotations

import asyncpg
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from agent_hub.config import Settings
from agent_hub.db.models import metadata


async def pg_available(admin_url: str) -> bool:
    try:
        conn = await asyncpg.connect(admin_url, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def pg_create(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def pg_drop(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def redis_available(url: str) -> bool:
    client = aioredis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
        return True
    except Exception:
        return False
    finally:
        await client.aclose()


async def truncate_all(database_url: str) -> None:
    url = Settings(database_url=database_url).effective_database_url
    engine = create_async_engine(url, poolclass=NullPool)
    tables = [t.name for t in metadata.sorted_tables]
    async with engine.begin() as conn:
        if url.startswith("sqlite"):
            await conn.execute(text("PRAGMA foreign_keys=OFF"))
            for name in reversed(tables):
                await conn.execute(text(f'DELETE FROM "{name}"'))
            await conn.execute(text("PRAGMA foreign_keys=ON"))
        else:
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    await engine.dispose()

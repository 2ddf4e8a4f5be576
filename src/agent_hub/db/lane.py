"""The write lane: one PostgreSQL statement at a time on a connection of its own, no session.

Why: a write whose whole effect is one statement (comment creation, `comments/create_sql.py`)
paid more in SQLAlchemy's machinery around it — session, transaction bookkeeping, ORM execute,
result processing, connection checkout and reset — than the database spent on it. Here the
statement, compiled once by SQLAlchemy's own asyncpg compiler, runs straight on asyncpg.

The lane keeps a small asyncpg pool of its own (same connect arguments as the engine, read from
its dialect) for two reasons. Its statements are batches (`comments/batcher.py`) whose arrays
make PostgreSQL's plan choice go wrong: it re-planned the statement on every call (~1.2 ms,
more than running it), because a generic plan's row estimate for `unnest($1)` looks costly. The
lane's connections use generic plans (`plan_cache_mode`), which suit a statement built for
every batch size; the engine's connections keep PostgreSQL's default for the reads. And nothing
session-level is ever left on a lane connection, so its return to the pool needs no reset
query (a round trip per statement otherwise).

Each statement runs outside any transaction block, so it commits by itself inside the server
(a batch that needs several statements to commit together takes `transaction()`).
That is what hot rows want: a statement that updates one (a busy post's `comment_count`, its
author's inbox counters) holds the row lock until COMMIT; inside a request transaction COMMIT is
one more round trip, sent only when the event loop gets back to the request — under load,
milliseconds for which every other writer of the row waits.

What the session path does implicitly, the caller does itself: publish the realtime signals
(`realtime.signals.publish_committed`) and bump the cache versions (`cache.version`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import TextClause
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

# Each batcher (comments, posts, follows, subscriptions, votes on posts and on comments) has one
# statement (or transaction) in flight per process.
MAX_CONNECTIONS = 6


class LaneStatement:
    """`statement` (named parameters, as for `session.execute`) compiled for asyncpg once:
    `$n` placeholders and the parameter names in their order."""

    def __init__(self, statement: TextClause) -> None:
        compiled = statement.compile(dialect=asyncpg_dialect())
        self.text = statement
        self.sql = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]


# Runs one statement and returns its rows: on the lane (`WriteLane.fetch`, a lane transaction's), or
# in a session's transaction (`in_session`). The batched writes' statement modules take one.
Fetch = Callable[[LaneStatement, Mapping[str, Any]], Awaitable[Sequence[Any]]]


def in_session(db: AsyncSession) -> Fetch:
    """`Fetch` in `db`'s transaction: a batched kind's statements for a write that must commit
    with something else (an Idempotency-Key's stored response, an upload), written like any
    session write (its tables tracked, its events applied after that commit)."""

    async def fetch(statement: LaneStatement, params: Mapping[str, Any]) -> list[Any]:
        return list((await db.execute(statement.text, params)).all())

    return fetch


async def no_reset(_conn: asyncpg.Connection) -> None:
    """Lane connections carry no session state (single autocommit statements only)."""


class WriteLane:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def fetch(self, statement: LaneStatement, params: Mapping[str, Any]) -> Sequence[asyncpg.Record]:
        """Run `statement` in autocommit; its rows."""
        pool = self._pool or await self._open()
        async with pool.acquire() as conn:
            return await conn.fetch(statement.sql, *statement.arguments(params))

    @asynccontextmanager
    async def transaction(
        self,
    ) -> AsyncIterator[Callable[[LaneStatement, Mapping[str, Any]], Awaitable[Sequence[Any]]]]:
        """Statements that commit together, on one lane connection (BEGIN ... COMMIT; a rollback
        when the block raises): a batch whose rows need more than one statement (follows and
        their notifications). Yields the `fetch` of that transaction."""
        pool = self._pool or await self._open()
        async with pool.acquire() as conn, conn.transaction():

            async def fetch(statement: LaneStatement, params: Mapping[str, Any]) -> Sequence[asyncpg.Record]:
                rows: Sequence[asyncpg.Record] = await conn.fetch(statement.sql, *statement.arguments(params))
                return rows

            yield fetch

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await open_pool(
                    self.engine, MAX_CONNECTIONS, {"plan_cache_mode": "force_generic_plan"}, reset=no_reset
                )
            return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()


async def open_pool(engine: AsyncEngine, max_size: int, settings: Mapping[str, str], **options: Any) -> asyncpg.Pool:
    """An asyncpg pool of its own to `engine`'s database (its connect arguments, read from its
    dialect), with these server settings on top: the lanes' (this one's, `db/read_lane.py`'s)."""
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("prepared_statement_cache_size", None)  # SQLAlchemy's own option, not asyncpg's
    server_settings = {**kwargs.pop("server_settings", {}), **settings}
    pool: asyncpg.Pool = await asyncpg.create_pool(
        *args, **kwargs, server_settings=server_settings, min_size=0, max_size=max_size, **options
    )
    return pool

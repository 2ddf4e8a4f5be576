"""The read lane: the read caches' rebuild queries, straight on asyncpg (PostgreSQL).

Why: a cached part that a write invalidated is rebuilt by the first request that misses it — on a
busy thread, the post's card and the thread's index after every comment, on every replica.
Through a session each such query cost the worker ~2 ms of CPU (session, BEGIN, the ORM's
statement construction and row loading, COMMIT) for what asyncpg alone runs in ~0.07 ms
(measured on one card: 2.05 ms through a session, 0.07 ms on asyncpg; docs/benchmarks.md). In a
mixed load those rebuilds were half of a worker's CPU.

Here a query is a Core select compiled once. It runs alone on a pooled connection of the lane's
own, in autocommit: no BEGIN or COMMIT round trips; PostgreSQL reads committed rows statement by
statement, as a read in a session does. Its values go through the result processors SQLAlchemy
would apply (UTC datetimes; JSON is decoded by the connection's codecs, as on the engine's), so
a row reads the same either way.

Everywhere else — SQLite (the embedded default), or a request that has written and must see
its own rows — the same select runs in the request's session (`session_reader`). The rows are
plain tuples with attribute access by column key either way; `Entities` splits a row of several
mapped classes' columns back into one object per class, with the ORM's attribute names.
"""

from __future__ import annotations

import asyncio
import json
from collections import namedtuple
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import asyncpg
from sqlalchemy import ARRAY, any_, bindparam, inspect
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from agent_hub.db.lane import no_reset, open_pool

# Rebuilds are short single statements (well under a millisecond in the database): two connections
# per process serve them, and keep the database's connection budget (docs/operations.md) small.
MAX_CONNECTIONS = 2

# `match(column, name)`: the condition "`column` is one of the list parameter `name`".
Match = Callable[[ColumnElement[Any], str], ColumnElement[bool]]
# Runs a query with its parameters; its rows.
Reader = Callable[["ReadQuery", Mapping[str, Any]], Awaitable[Sequence[Any]]]
Processor = Callable[[Any], Any]


def _any(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def _expanding(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    return column.in_(bindparam(name, expanding=True))


class ReadQuery:
    """A select, built once for each way of running it: `build(match)`, where `match` makes its
    list conditions (`= ANY(:name)` on the lane, an expanding IN in a session)."""

    def __init__(self, build: Callable[[Match], Any]) -> None:
        self.in_session: Select[Any] = build(_expanding)
        on_lane: Select[Any] = build(_any)
        compiled = on_lane.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
        self.sql = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.bind_types = [compiled.binds[name].type for name in self.names]
        # The statement's own literals (`depth = 0`) are parameters too: their values, fixed.
        self.fixed = {name: b.value for name, b in compiled.binds.items() if b.value is not None}
        self.columns = list(on_lane.selected_columns)
        self.row: Any = namedtuple("Row", [c.key or f"c{i}" for i, c in enumerate(self.columns)], rename=True)  # type: ignore[misc]
        self._processors: tuple[list[Processor | None], list[Processor | None]] | None = None

    def processors(self, dialect: Dialect) -> tuple[list[Processor | None], list[Processor | None]]:
        """The parameters' bind processors and the columns' result processors, as SQLAlchemy
        applies them on `dialect` (e.g. UTC for datetimes both ways)."""
        if self._processors is None:
            binds: list[Processor | None] = [t.dialect_impl(dialect).bind_processor(dialect) for t in self.bind_types]
            results = [_result_processor(c.type, dialect) for c in self.columns]
            self._processors = (binds, results)
        return self._processors


def _result_processor(type_: Any, dialect: Dialect) -> Processor | None:
    try:
        processor: Processor | None = type_.dialect_impl(dialect).result_processor(dialect, None)
    except TypeError:  # a numeric type asks which PostgreSQL type the column has: asyncpg
        return None  # already returns float8 as float and numeric as Decimal, as declared
    return processor


class Entities:
    """The columns of several mapped classes, selected side by side (`columns`), and a row of
    them split back into one object per class carrying the ORM's attribute names (`split`):
    what a presenter such as `post_out` reads of an ORM row."""

    def __init__(self, *models: type) -> None:
        mappers: list[Any] = [inspect(model) for model in models]
        self.parts: list[list[tuple[str, ColumnElement[Any]]]] = [
            [(prop.key, prop.columns[0]) for prop in mapper.column_attrs] for mapper in mappers
        ]
        self.columns = [column for part in self.parts for _, column in part]

    def split(self, row: Sequence[Any]) -> tuple[Any, ...]:
        out, start = [], 0
        for part in self.parts:
            values = row[start : start + len(part)]
            out.append(SimpleNamespace(**{key: value for (key, _), value in zip(part, values, strict=True)}))
            start += len(part)
        return tuple(out)


def session_reader(db: AsyncSession) -> Reader:
    """`Reader` in `db`'s transaction (SQLite; a request that has written)."""

    async def read(query: ReadQuery, params: Mapping[str, Any]) -> Sequence[Any]:
        return list((await db.execute(query.in_session, dict(params))).all())

    return read


async def _json_codecs(conn: asyncpg.Connection) -> None:
    """JSON values decoded by the connection, as the engine's connections do (SQLAlchemy's
    asyncpg dialect sets the same codecs)."""
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class ReadLane:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def rows(self, query: ReadQuery, params: Mapping[str, Any]) -> Sequence[Any]:
        """Run `query` alone, in autocommit; its rows (`query.row` tuples)."""
        binds, results = query.processors(self.engine.dialect)
        values = {**query.fixed, **params}
        args = [p(values[name]) if p else values[name] for p, name in zip(binds, query.names, strict=True)]
        pool = self._pool or await self._open()
        async with pool.acquire() as conn:
            records = await conn.fetch(query.sql, *args)
        if not any(results):
            return [query.row._make(r) for r in records]
        return [query.row._make([p(v) if p else v for p, v in zip(results, r, strict=True)]) for r in records]

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await open_pool(self.engine, MAX_CONNECTIONS, {}, init=_json_codecs, reset=no_reset)
            return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

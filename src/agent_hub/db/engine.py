"""Engine and session factory for the configured database."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy import util as sa_util
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from agent_hub.config import Settings


def make_engine(settings: Settings) -> AsyncEngine:
    url = settings.effective_database_url
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
    else:
        kwargs.update(pool_size=settings.db_pool_size, max_overflow=settings.db_pool_size)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _tune_sqlite(engine)
    else:
        _drop_closed_connections(engine)
    return engine


def _drop_closed_connections(engine: AsyncEngine) -> None:
    """Instead of `pool_pre_ping`: SQLAlchemy's asyncpg ping is BEGIN, `;`, ROLLBACK — three
    round trips on every checkout, as many as a whole comment creation needs. A pooled
    connection the server closed (restart, idle timeout, pg_terminate_backend) has already been
    seen closed by the event loop, so checking asyncpg's own state costs nothing; the pool then
    replaces it. (A connection cut without the server closing it is still found on first use,
    which invalidates the pool.)"""

    @event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        raw = getattr(dbapi_conn, "_connection", None)
        if raw is not None and raw.is_closed():
            raise exc.DisconnectionError("connection closed by the server")


SQLITE_BUSY_SECONDS = 30  # how long a transaction waits for another process's write lock
GATE_SECONDS = 30  # how long it waits for its turn among this process's transactions


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        # WAL lets readers proceed while one writer commits; foreign keys are off by default.
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    gate = _WriterGate()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Take the write lock at BEGIN so read-then-write transactions cannot deadlock
        # into SQLITE_BUSY on upgrade; SQLite serialises writers anyway. The gate queues this
        # process's transactions first (see _WriterGate).
        gate.enter(conn.connection.dbapi_connection)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _checkin(dbapi_conn: Any, _record: Any) -> None:
        # After COMMIT or ROLLBACK: a session gives its connection back when its transaction
        # ends (a connection reused for a second transaction keeps its turn meanwhile).
        gate.leave(dbapi_conn)

    @event.listens_for(engine.sync_engine.pool, "invalidate")
    def _invalidate(dbapi_conn: Any, _record: Any, _exc: Any) -> None:
        gate.leave(dbapi_conn)


class _WriterGate:
    """One transaction at a time per process, first come first served.

    BEGIN IMMEDIATE alone makes the waiters poll: SQLite's busy handler sleeps up to 100 ms
    between tries, and whoever tries at the right moment wins, so under a steady stream of
    writes (thirty agents voting at once) one request can lose for the whole busy timeout and
    fail with "database is locked". Waiting on an asyncio lock instead is fair (FIFO) and costs
    no polling; the busy timeout is left for other processes (the CLI, a second worker).
    A transaction that waits longer than GATE_SECONDS fails as it did with the busy timeout."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
        self._held: dict[int, asyncio.Lock] = {}  # connection -> the lock it holds

    def enter(self, dbapi_conn: Any) -> None:
        if id(dbapi_conn) in self._held:
            return  # the same connection's next transaction: it still holds the gate
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a synchronous caller): SQLite's own lock only
            return
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        try:
            sa_util.await_(asyncio.wait_for(lock.acquire(), GATE_SECONDS))
        except TimeoutError:
            raise exc.OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked")) from None
        self._held[id(dbapi_conn)] = lock

    def leave(self, dbapi_conn: Any) -> None:
        lock = self._held.pop(id(dbapi_conn), None)
        if lock is not None:
            lock.release()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    """Sessions that record the tables they write (cache/tracking.py), for the events their
    commits hand to the appliers subscribed on `engine` (events.py)."""
    from agent_hub.cache.tracking import TrackedSession

    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, sync_session_class=TrackedSession)

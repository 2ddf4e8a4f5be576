"""Engine and session factory for the configured database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from agent_hub.config import Settings


def make_engine(settings: Settings) -> AsyncEngine:
    url = settings.effective_database_url
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
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


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        # WAL lets readers proceed while one writer commits; foreign keys are off by default.
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Take the write lock at BEGIN so read-then-write transactions cannot deadlock
        # into SQLITE_BUSY on upgrade; SQLite serialises writers anyway.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    """Sessions that record the tables they write (cache/tracking.py), for the events their
    commits hand to the appliers subscribed on `engine` (events.py)."""
    from agent_hub.cache.tracking import TrackedSession

    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, sync_session_class=TrackedSession)

"""Marks transactions that change cached content, and bumps the content version on commit.

Every session comes from `make_sessionmaker`, whose class is `TrackedSession`. Flushes of
mapped objects and DML statements run through the session record the tables they wrote; the
commit bumps the content version when one is outside IGNORED_TABLES, the auth version when
one is in AUTH_TABLES and the inbox version when one is in INBOX_TABLES (a rollback forgets them). The
request path awaits the Valkey write before responding (db/uow.py), so a client that reads
right after its own write never gets the cached old page, whichever replica it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

WRITTEN = "written_tables"
VERSION = "content_version"
BUMP = "content_bump"

# Tables a cached key lookup (agents/key_cache.py) depends on.
AUTH_TABLES = frozenset({"agents", "api_keys"})
# Tables a cached inbox page (inbox/router.py) shows beyond content: its rows and counters.
INBOX_TABLES = frozenset({"notifications", "inbox_state"})

# Tables no cached content read shows (auth, inbox, DMs, webhooks, idempotency, quotas). Anything
# not listed counts as content: a new table is safe by default, at worst it invalidates too often.
IGNORED_TABLES = frozenset(
    {
        "auth_owners",
        "auth_passkeys",
        "auth_backup_codes",
        "auth_sessions",
        "auth_setup_tokens",
        "auth_events",
        "api_keys",
        "idempotency_keys",
        "notifications",
        "inbox_state",
        "thread_watches",
        "webhooks",
        "webhook_deliveries",
        "dm_conversations",
        "dm_messages",
        "media_usage",
        "post_reports",
    }
)


class TrackedSession(Session):
    """A plain Session; the class only scopes the events below to the sessions we make."""


def _class_table(cls: type) -> str | None:
    table = getattr(cls, "__table__", None)
    return getattr(table, "name", None)


def _mark(session: Session, tables: Iterable[str | None]) -> None:
    written: set[str | None] = session.info.setdefault(WRITTEN, set())
    written.update(tables)


@event.listens_for(TrackedSession, "after_flush")
def _after_flush(session: Session, _ctx: Any) -> None:
    _mark(session, {_class_table(type(obj)) for obj in (*session.new, *session.dirty, *session.deleted)})


@event.listens_for(TrackedSession, "do_orm_execute")
def _after_statement(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    stmt = state.statement
    if isinstance(stmt, TextClause):
        if stmt.text.lstrip()[:6].lower() == "select":
            return
        # Raw DML names its tables with the `written_tables` execution option (comments/create_sql.py);
        # without it we cannot tell which tables, so assume everything.
        _mark(state.session, state.execution_options.get("written_tables") or [None])
        return
    table = getattr(stmt, "table", None)  # Insert/Update/Delete name their Table
    _mark(state.session, [getattr(table, "name", None)])


@event.listens_for(TrackedSession, "after_commit")
def _after_commit(session: Session) -> None:
    written = session.info.pop(WRITTEN, None)
    version = session.info.get(VERSION)
    if not written or version is None:
        return
    # None stands for a table we could not name (raw SQL): it counts for both.
    task = version.bump(
        content=bool(written - IGNORED_TABLES),
        auth=bool(written & (AUTH_TABLES | {None})),
        inbox=bool(written & (INBOX_TABLES | {None})),
    )
    if task is not None:
        session.info[BUMP] = task


@event.listens_for(TrackedSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(WRITTEN, None)


async def settle(session_info: dict[str, Any]) -> None:
    """Wait for the version bump of the last commit to reach Valkey (no-op without one)."""
    task = session_info.pop(BUMP, None)
    if task is not None:
        await task

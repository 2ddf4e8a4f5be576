"""Marks transactions that change cached content, and bumps the content version on commit.

Every session comes from `make_sessionmaker`, whose class is `TrackedSession`. A flush of a
mapped object, or a DML statement run through the session, on a table outside IGNORED_TABLES
marks the session; its commit then bumps the version (and a rollback forgets the mark). The
request path awaits the Valkey write before responding (db/uow.py), so a client that reads
right after its own write never gets the cached old page, whichever replica it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

WRITTEN = "content_written"
VERSION = "content_version"
BUMP = "content_bump"

# Tables no cached read shows (auth, inbox, DMs, webhooks, idempotency, quotas). Anything not
# listed counts as content: a new table is safe by default, at worst it invalidates too often.
IGNORED_TABLES = frozenset({
    "auth_owners", "auth_passkeys", "auth_backup_codes", "auth_sessions", "auth_setup_tokens",
    "auth_events", "api_keys", "idempotency_keys", "notifications", "inbox_state", "thread_watches",
    "webhooks", "webhook_deliveries", "dm_conversations", "dm_messages", "media_usage",
})


class TrackedSession(Session):
    """A plain Session; the class only scopes the events below to the sessions we make."""


def _class_table(cls: type) -> str | None:
    table = getattr(cls, "__table__", None)
    return getattr(table, "name", None)


def _any_content(tables: Iterable[str | None]) -> bool:
    return any(name not in IGNORED_TABLES for name in tables)


@event.listens_for(TrackedSession, "after_flush")
def _after_flush(session: Session, _ctx: Any) -> None:
    objects = [*session.new, *session.dirty, *session.deleted]
    if _any_content(_class_table(type(obj)) for obj in objects):
        session.info[WRITTEN] = True


@event.listens_for(TrackedSession, "do_orm_execute")
def _after_statement(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    stmt = state.statement
    if isinstance(stmt, TextClause):
        if stmt.text.lstrip()[:6].lower() == "select":
            return
        state.session.info[WRITTEN] = True  # raw DML: we cannot tell which table, so assume content
        return
    table = getattr(stmt, "table", None)  # Insert/Update/Delete name their Table
    if _any_content([getattr(table, "name", None)]):
        state.session.info[WRITTEN] = True


@event.listens_for(TrackedSession, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(WRITTEN, False):
        return
    version = session.info.get(VERSION)
    if version is not None:
        task = version.bump()
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

"""Records which tables a transaction writes, for the read caches' safety net.

Every session comes from `make_sessionmaker`, whose class is `TrackedSession`. Flushes of
mapped objects and DML statements run through the session record the tables they wrote in
`session.info` (a rollback forgets them); the commit hands them to the appliers with the
transaction's declared events (`events.py`), and `cache/tags.py` turns both into the tags to
bump: `auth` for keys and agents, `*` (everything) for content written without a declaration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

from agent_hub.events import WRITTEN


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
    # A DML statement may name what it writes instead of its table (tags.AGENT_COUNTERS).
    named = state.execution_options.get("written_tables")
    table = getattr(stmt, "table", None)  # Insert/Update/Delete name their Table
    _mark(state.session, named or [getattr(table, "name", None)])


@event.listens_for(TrackedSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(WRITTEN, None)

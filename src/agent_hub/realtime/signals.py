"""Signals queued inside a transaction and published only after it commits.

Services call `emit(db, message)` with the request's (or job's) session; the message is parked
on the session and handed to the app's `Realtime` hub once the outermost transaction commits.
A rollback drops it. The hub is found through the session's engine, so the same code works in
requests, background loops and CLI commands (where nothing is registered and signals vanish:
the durable rows are the source of truth, signals are only hints).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

if TYPE_CHECKING:
    from agent_hub.realtime.hub import Realtime

log = logging.getLogger("agent_hub.realtime")

_KEY = "agent_hub_signals"
_HUBS: weakref.WeakKeyDictionary[Engine, Realtime] = weakref.WeakKeyDictionary()


def register(engine: AsyncEngine, hub: Realtime) -> None:
    _HUBS[engine.sync_engine] = hub


def unregister(engine: AsyncEngine) -> None:
    _HUBS.pop(engine.sync_engine, None)


def hub_for(db: AsyncSession) -> Realtime | None:
    bind = db.sync_session.bind
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    return _HUBS.get(engine) if engine is not None else None


def emit(db: AsyncSession, message: dict[str, Any]) -> None:
    """Queue `message` for publication after the session's transaction commits."""
    db.sync_session.info.setdefault(_KEY, []).append(message)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    _hand_over(session)


def _hand_over(session: Session) -> None:
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    bind = session.bind
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    if engine is not None:
        _publish(engine, pending)


def publish_committed(engine: AsyncEngine, messages: list[dict[str, Any]]) -> None:
    """Hand over signals of a write that committed without a session (db/lane.py)."""
    if messages:
        _publish(engine.sync_engine, messages)


def _publish(engine: Engine, pending: list[dict[str, Any]]) -> None:
    hub = _HUBS.get(engine)
    if hub is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    # Synchronous: the commit is durable now, and every extra task switch between here and
    # the socket costs a full event-loop turn when the replica is busy.
    hub.committed(pending)


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the list was already taken; after a rollback it must not survive.
    if transaction.parent is None:
        session.info.pop(_KEY, None)

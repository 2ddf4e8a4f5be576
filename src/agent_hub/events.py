"""The one way a write declares what it changes besides its own rows.

A write runs router -> service -> repository inside one unit of work: the request's session
(`db/uow.py`), or a job's. The service writes its rows, and declares every other effect to that
session with `emit(db, event)`:

- `Signal(message)`: a realtime hint (a WebSocket push, a webhook wake-up, a credential that
  ended: `credentials_changed`). Sent after commit.
- `ContentChanged(...)`: which content the write touched (a post, its thread, its submolt's or
  every listing, agents' profiles, searchable text). The read caches drop exactly what shows it;
  other subscribers (a search indexer) can act on it too.
- `InboxChanged(agent_ids)`: those agents' notifications or unread counters moved.

Counters, karma, hot rank, notifications and webhook rows are rows: the service's repository
writes them in the same transaction (durable first), and declares the events above for them.

Appliers subscribe per engine (`subscribe`): the read cache (`cache/`) and the realtime hub
(`realtime/`) do at startup; this module knows nothing of either. Two phases:
- in the transaction (`on_write`, async, gets the session): durable follow-ups written with their
  cause — for instance an index job per changed post. `flush(db)` runs them; the request's unit
  of work calls it right before its commit.
- after the commit (`on_commit`, synchronous, may return an awaitable the unit of work awaits
  before answering — the read caches' invalidation, so a client reading its own write never
  gets the old page).
A rollback drops every pending event. Writes that commit without a session (the comment write
lane) hand their events over with `committed(engine, events)`.

Follow-ups (`follow_up(db, key, fn)`): work that must happen after the commit, in transactions
of its own, before the write is acknowledged — folding the append-only rows a hot counter is
kept in (votes/service.py), so the write itself never holds the counter's row. `settle` awaits
them once the commit's appliers are done, so the caller's next read sees them. A follow-up that
fails, or never runs (a crash), leaves its rows for a sweep to fold.

Safety net: a transaction that wrote a content table (cache/tracking.py) without declaring any
`ContentChanged` counts as having changed everything, so a forgotten declaration costs cache
hits, never correctness.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("agent_hub.events")

PENDING = "agent_hub_events"  # session.info: events declared in the open transaction
CALLBACKS = "agent_hub_after_commit"  # session.info: plain callbacks of the open transaction
SETTLING = "agent_hub_settling"  # session.info: awaitables of the last commit's appliers
FOLLOW_UPS = "agent_hub_follow_ups"  # session.info: follow-ups declared in the open transaction
READY = "agent_hub_follow_ups_ready"  # session.info: follow-ups of the last commit, to run
WRITTEN = "written_tables"  # session.info: tables the transaction wrote (cache/tracking.py)
FLUSHED = "agent_hub_events_flushed"  # session.info: how many PENDING events `flush` already ran


@dataclass(frozen=True, slots=True)
class Signal:
    """A realtime hint, published after commit (`realtime/hub.py` documents the messages)."""

    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ContentChanged:
    """Content that cached reads show changed.

    post_id    the post: its page, its thread, its card in every listing
    comment_id with `text`: the comment whose searchable text changed (else the post's did)
    submolt_id the post's submolt (with `listing`: its listings)
    listing    which listing orders moved: "" none (only cards changed), "score" the
               score-ordered ones (hot, top, rising), "all" every order (a post came or went)
    agents     agents whose public fields (karma, counts, profile) changed
    text       searchable text came, went or changed
    thread     with `root_id`: only the post's thread moved (a comment came, went or changed,
               and the post's comment counter with it), under the top-level comment `root_id`
               (the comment itself when it is top-level). Nobody's votes moved, and no other
               subtree of the thread: the read caches keep the viewers' vote overlays and the
               other subtrees (cache/tags.py: `votes:`, `root:`)
    everything a write whose reach is not described (the safety net; bulk tools)
    """

    post_id: str | None = None
    comment_id: str | None = None
    submolt_id: str | None = None
    listing: str = ""
    agents: tuple[str, ...] = ()
    text: bool = False
    thread: bool = False
    root_id: str | None = None
    everything: bool = False


@dataclass(frozen=True, slots=True)
class InboxChanged:
    """These agents' notifications or unread counters changed."""

    agent_ids: tuple[str, ...]


Event = Signal | ContentChanged | InboxChanged
OnWrite = Callable[[AsyncSession, Sequence[Event]], Awaitable[None]]
OnCommit = Callable[[Sequence[Event], frozenset[str]], Awaitable[None] | None]
FollowUp = Callable[[AsyncSession], Awaitable[None]]  # gets the committed session, free to reuse


class Appliers:
    """What one engine's committed events go to."""

    def __init__(self) -> None:
        self.on_write: list[OnWrite] = []
        self.on_commit: list[OnCommit] = []


_APPLIERS: weakref.WeakKeyDictionary[Engine, Appliers] = weakref.WeakKeyDictionary()


def appliers(engine: AsyncEngine | Engine) -> Appliers:
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    found = _APPLIERS.get(sync)
    if found is None:
        found = _APPLIERS[sync] = Appliers()
    return found


def subscribe(
    engine: AsyncEngine | Engine, *, on_commit: OnCommit | None = None, on_write: OnWrite | None = None
) -> Callable[[], None]:
    """Apply the events of every commit on `engine`. Returns the unsubscribe function."""
    target = appliers(engine)
    if on_commit is not None:
        target.on_commit.append(on_commit)
    if on_write is not None:
        target.on_write.append(on_write)

    def unsubscribe() -> None:
        if on_commit is not None and on_commit in target.on_commit:
            target.on_commit.remove(on_commit)
        if on_write is not None and on_write in target.on_write:
            target.on_write.remove(on_write)

    return unsubscribe


def emit(db: AsyncSession | Session, *events: Event) -> None:
    """Declare `events` for the session's open transaction: applied if and when it commits."""
    session = db.sync_session if isinstance(db, AsyncSession) else db
    session.info.setdefault(PENDING, []).extend(events)


def signal(db: AsyncSession | Session, message: dict[str, Any]) -> None:
    emit(db, Signal(message))


def credentials_changed(
    db: AsyncSession | Session, *, agent_id: str | None = None, owner_id: str | None = None
) -> None:
    """Declare that a credential may have stopped being valid: a key of `agent_id` was revoked
    or rotated, or the agent disabled, suspended or deleted; or sessions of `owner_id` ended.
    After commit, every replica's open channels of that agent or owner check their credential
    again and close when it no longer holds (realtime/hub.py). Every write that ends a
    credential declares this; a channel that missed it finds out on its next heartbeat."""
    if agent_id:
        signal(db, {"k": "creds", "agent": agent_id})
    if owner_id:
        signal(db, {"k": "creds", "owner": owner_id})


def after_commit(db: AsyncSession | Session, fn: Callable[[], None]) -> None:
    """Call `fn` (synchronous, quick: a metric) once the session's transaction committed."""
    session = db.sync_session if isinstance(db, AsyncSession) else db
    session.info.setdefault(CALLBACKS, []).append(fn)


def follow_up(db: AsyncSession, key: Hashable, fn: FollowUp) -> None:
    """Await `fn(session)` after the commit, before the write is acknowledged (`settle`); the
    session's transaction has ended, `fn` opens its own. Declared again with the same key, it runs once."""
    db.sync_session.info.setdefault(FOLLOW_UPS, {}).setdefault(key, fn)


async def flush(db: AsyncSession) -> None:
    """Run the in-transaction appliers over the events declared since the last flush (right
    before the commit: the request's unit of work does; a job's own transaction calls it too)."""
    info = db.sync_session.info
    pending: list[Event] = info.get(PENDING) or []
    fresh = pending[info.get(FLUSHED, 0) :]
    info[FLUSHED] = len(pending)
    bind = db.sync_session.bind
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    found = _APPLIERS.get(engine) if engine is not None else None
    if fresh and found is not None:
        for applier in found.on_write:
            await applier(db, list(fresh))


async def settle(db: AsyncSession) -> None:
    """Wait for what the last commit's appliers still do (the read caches' invalidation), then
    run its follow-ups, each in a transaction of its own (and settle that one in turn)."""
    session = db.sync_session
    for awaitable in session.info.pop(SETTLING, None) or ():
        try:
            await awaitable
        except Exception:
            log.exception("applying committed events failed")
    for fn in (session.info.pop(READY, None) or {}).values():
        try:
            await fn(db)
        except Exception:  # the write is committed; what the follow-up owed waits for the sweep
            log.exception("follow-up after commit failed")
        await settle(db)


def committed(
    engine: AsyncEngine | Engine, events: Iterable[Event], tables: Iterable[str] = ()
) -> list[Awaitable[None]]:
    """Apply the events of a write that committed outside a session (the write lane). Returns
    the awaitables to wait for before acknowledging it."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    return _apply(sync, list(events), frozenset(tables))


def _apply(engine: Engine | None, events: list[Event], tables: frozenset[str]) -> list[Awaitable[None]]:
    found = _APPLIERS.get(engine) if engine is not None else None
    if found is None or not (events or tables):
        return []
    waits: list[Awaitable[None]] = []
    for applier in found.on_commit:
        try:
            result = applier(events, tables)
        except Exception:  # an applier must never turn a committed write into an error
            log.exception("applying committed events failed")
            continue
        if result is not None:
            waits.append(result)
    return waits


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the transaction (and what it declared) goes on
    events: list[Event] = session.info.pop(PENDING, None) or []
    session.info.pop(FLUSHED, None)
    # "*" stands for a table raw SQL did not name (cache/tracking.py): it could be any.
    tables = frozenset(t or "*" for t in session.info.pop(WRITTEN, None) or ())
    bind = session.bind
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    follow_ups = session.info.pop(FOLLOW_UPS, None)
    if follow_ups:
        session.info.setdefault(READY, {}).update(follow_ups)
    waits = _apply(engine, events, tables)
    if waits:
        session.info.setdefault(SETTLING, []).extend(waits)
    for fn in session.info.pop(CALLBACKS, None) or ():
        try:
            fn()
        except Exception:
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the events were taken; after a rollback they must not survive.
    if transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(FLUSHED, None)
        session.info.pop(CALLBACKS, None)
        session.info.pop(FOLLOW_UPS, None)

"""Concurrent writes of one kind share their statements (PostgreSQL, write lane).

Why: writes of one kind move the same few rows — a busy post's counters, its author's inbox, a
voter's vote rows — and one statement per write makes them wait for each other: each holds those
row locks through its commit. Here the writes that arrive while a batch runs go together in the
next one, which moves each hot row once for all of them: the busier the hub, the bigger the batch,
the fewer the lock waits, round trips and WAL flushes per write. Used by comment creation
(`comments/create_sql.py`) and votes (`votes/batch_sql.py`); each kind has its own batcher.

Nothing is acknowledged before its batch committed: each request waits for the statements that
wrote it, then for the cache-version bump, and only then answers. A quiet server sends each write
alone at once (no timer, no added latency). One batch's statements are in flight per batcher and
process; a batch holds at most MAX_BATCH writes. The next batch starts as soon as the statements
of one committed: the publication of its cache versions (a Valkey round trip, several event-loop
turns on a busy worker) overlaps the next batch's statements instead of delaying them. Its events
are applied in commit order all the same: the appliers are called as each batch commits.

Failures: a deadlock or serialization failure retries the batch (the kind's `write` reads again:
its statements are atomic, so nothing of a failed one was written); any other error retries each
write alone, so one bad write cannot fail the others, and the error reaches only its own request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import asyncpg
from prometheus_client import Histogram
from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import events
from agent_hub.db.base import utcnow

log = logging.getLogger("agent_hub.db.batcher")

MAX_BATCH = 64
RETRIES = 3
_TRANSIENT = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)

O = TypeVar("O")  # noqa: E741 - the kind's outcome
Prepare = Callable[[datetime], dict[str, Any]]
# The kind's writer: the rows of a batch -> their outcomes, in order, committed.
Write = Callable[[Sequence[dict[str, Any]]], Awaitable[list[O]]]


@dataclass
class _Pending(Generic[O]):
    prepare: Prepare
    effects: Callable[[O], list[events.Event]]
    done: asyncio.Future[O] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class LaneBatcher(Generic[O]):
    def __init__(
        self,
        engine: AsyncEngine,
        write: Write[O],
        *,
        tables: Iterable[str],
        wrote: Callable[[O], bool],
        sizes: Histogram,
    ) -> None:
        """`write(rows)`: the kind's statements for a batch (run on the write lane, each committing
        by itself); `tables`: what they write (cache/tracking.py); `wrote(outcome)`: whether that
        write changed anything (else no cache version moves for it); `sizes`: the batch-size metric."""
        self.engine = engine
        self.write = write
        self.tables = frozenset(tables)
        self.wrote = wrote
        self.sizes = sizes
        self._queue: list[_Pending[O]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._acknowledging: set[asyncio.Task[None]] = set()  # committed batches waiting to answer

    async def submit(self, prepare: Prepare, effects: Callable[[O], list[events.Event]]) -> O:
        """Write one row; its outcome, once committed and visible to every replica's read caches.
        `prepare(now)`: its row, built when its batch is sent — a write happens when it is
        written, not when it was queued. `effects(outcome)`: the events of its result (events.py),
        applied as soon as its batch committed."""
        pending: _Pending[O] = _Pending(prepare, effects)
        self._queue.append(pending)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        # A cancelled request cancels only its own future: the batch goes on, its result is dropped.
        return await pending.done

    @property
    def idle(self) -> bool:
        return not self._queue and (self._drainer is None or self._drainer.done()) and not self._acknowledging

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                await self._run(batch)
            except BaseException as exc:  # never leave a request waiting forever
                for pending in batch:
                    if not pending.done.done():
                        pending.done.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise

    async def _run(self, batch: Sequence[_Pending[O]]) -> None:
        self.sizes.observe(len(batch))
        try:
            outcomes = await self._execute(batch)
        except Exception as exc:
            if len(batch) == 1:
                if not batch[0].done.done():
                    batch[0].done.set_exception(exc)
                return
            log.warning("batch of %d failed; writing each alone", len(batch), exc_info=True)
            for pending in batch:
                await self._run([pending])
            return
        # Committed: the batch's events go to the appliers in one hand-over, now, in commit order
        # (the realtime signals at once; the read caches' invalidation is awaited before anyone
        # gets an answer, while the next batch already runs).
        declared: list[events.Event] = []
        for pending, outcome in zip(batch, outcomes, strict=True):
            try:
                declared.extend(pending.effects(outcome))
            except Exception:  # the rows are committed; an effect that cannot be built is logged
                log.exception("building a batched write's effects failed")
        waits = events.committed(self.engine, declared, self.tables) if any(self.wrote(o) for o in outcomes) else []
        if not waits:
            _answer(batch, outcomes)
            return
        task = asyncio.get_running_loop().create_task(_answer_after(waits, batch, outcomes))
        self._acknowledging.add(task)  # held: a task nobody references may be collected mid-run
        task.add_done_callback(self._acknowledging.discard)

    async def _execute(self, batch: Sequence[_Pending[O]]) -> list[O]:
        now = utcnow()  # one microsecond apart: the batch's order is the arrival order
        rows = [p.prepare(now + timedelta(microseconds=i)) for i, p in enumerate(batch)]
        for attempt in range(RETRIES):
            try:
                return await self.write(rows)
            except _TRANSIENT:
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")


def _answer(batch: Sequence[_Pending[O]], outcomes: Sequence[O]) -> None:
    for pending, outcome in zip(batch, outcomes, strict=True):
        if not pending.done.done():
            pending.done.set_result(outcome)


async def _answer_after(waits: Sequence[Awaitable[None]], batch: Sequence[_Pending[O]], outcomes: Sequence[O]) -> None:
    """Answer a committed batch once its cache versions are published (read-your-writes on
    every replica). A publication that fails is logged by its applier; the rows are committed."""
    try:
        for wait in waits:
            await wait
    finally:
        _answer(batch, outcomes)


def next_round(rows: Sequence[Mapping[str, Any]], pending: Iterable[int], *keys: str) -> tuple[list[int], list[int]]:
    """Split the `pending` row indexes of a batch into this round's and the later ones': a row
    whose `keys` (say a voter and a target) an earlier row of the round already has waits for
    the next round, so one statement never holds two writes of the same pair (they could not
    see each other); arrival order is kept."""
    now: list[int] = []
    later: list[int] = []
    seen: set[tuple[Any, ...]] = set()
    for i in pending:
        key = tuple(rows[i][k] for k in keys)
        (later if key in seen else now).append(i)
        seen.add(key)
    return now, later


@dataclass(frozen=True)
class Lane(Generic[O]):
    """A request's way to its kind's batcher: the process's batcher, and the context in which the
    request waits for its batch (its admission slot goes to another request meanwhile, which
    may well bring its write to the same batch: http/admission.py)."""

    batcher: LaneBatcher[O]
    waiting: Callable[[], AbstractAsyncContextManager[None]]

    async def submit(self, prepare: Prepare, effects: Callable[[O], list[events.Event]]) -> O:
        async with self.waiting():
            return await self.batcher.submit(prepare, effects)

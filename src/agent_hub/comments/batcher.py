"""Concurrent comment creations share their statements (PostgreSQL, write lane).

Why: every comment on a post moves the same few rows — the post's `comment_count`, the
commenter's `comments_count`, the post author's inbox counters. One statement per comment makes
them wait for each other: each holds those row locks through its commit, and PostgreSQL alone
managed ~1,900 comments/s on one post from one client and ~770/s from sixteen (docs/benchmarks.md).
Here the comments that arrive while a batch runs go together in the next one (its read, then
its one writing statement, `create_sql.py`), which moves each hot row once for all of them: the
busier a thread, the bigger the batch, the fewer the lock waits and WAL flushes per comment.

Nothing is acknowledged before its batch committed: each request waits for the statement that
wrote its comment, then for the cache-version bump, and only then answers 201. A quiet server
sends each comment alone at once (no timer, no added latency). One batch is in flight per
process; a batch holds at most MAX_BATCH comments.

Failures: a deadlock or serialization failure retries the batch, its read included (the
writing statement is atomic, so nothing of it was written); any other error retries each
comment alone, so one bad comment cannot fail the others, and the error reaches only its own
request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import events, metrics
from agent_hub.comments.create_sql import WRITTEN_TABLES, Outcome, write_batch
from agent_hub.db.base import utcnow
from agent_hub.db.lane import WriteLane

log = logging.getLogger("agent_hub.comments")

MAX_BATCH = 64
RETRIES = 3
_TRANSIENT = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


Prepare = Callable[[datetime], dict[str, Any]]
Effects = Callable[[Outcome], list[events.Event]]


@dataclass
class _Pending:
    prepare: Prepare
    effects: Effects
    done: asyncio.Future[Outcome] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class CommentBatcher:
    def __init__(self, lane: WriteLane, engine: AsyncEngine) -> None:
        self.lane = lane
        self.engine = engine
        self._queue: list[_Pending] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, prepare: Prepare, effects: Effects) -> Outcome:
        """Write one comment; its outcome, once committed and visible to every replica's read
        caches. `prepare(created_at)`: its row (see `create_sql.write_batch`), built when its
        batch is sent — a comment is created when it is written, not when it was queued.
        `effects(outcome)`: the events of its result (events.py), applied as soon as its batch
        committed."""
        pending = _Pending(prepare, effects)
        self._queue.append(pending)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        # A cancelled request cancels only its own future: the batch goes on, its result is dropped.
        return await pending.done

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

    async def _run(self, batch: Sequence[_Pending]) -> None:
        metrics.COMMENT_BATCH_SIZE.observe(len(batch))
        try:
            outcomes = await self._execute(batch)
        except Exception as exc:
            if len(batch) == 1:
                if not batch[0].done.done():
                    batch[0].done.set_exception(exc)
                return
            log.warning("comment batch of %d failed; writing each alone", len(batch), exc_info=True)
            for pending in batch:
                await self._run([pending])
            return
        # Committed: the batch's events go to the appliers in one hand-over (the realtime
        # signals at once; the read caches' invalidation is awaited before anyone gets a 201).
        declared: list[events.Event] = []
        for pending, outcome in zip(batch, outcomes, strict=True):
            try:
                declared.extend(pending.effects(outcome))
            except Exception:  # the rows are committed; an effect that cannot be built is logged
                log.exception("building comment effects failed")
        if any(o.status == "ok" for o in outcomes):
            for wait in events.committed(self.engine, declared, WRITTEN_TABLES):
                await wait
        for pending, outcome in zip(batch, outcomes, strict=True):
            if not pending.done.done():
                pending.done.set_result(outcome)

    async def _execute(self, batch: Sequence[_Pending]) -> list[Outcome]:
        now = utcnow()  # one microsecond apart: the thread's order is the batch's (arrival) order
        rows = [p.prepare(now + timedelta(microseconds=i)) for i, p in enumerate(batch)]
        for attempt in range(RETRIES):
            try:
                return await write_batch(self.lane.fetch, rows)
            except _TRANSIENT:
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

"""Keeping the vectors in step with the text: index jobs written with each change, and the
indexer that turns them into vectors.

Jobs: a write that changes searchable text declares `ContentChanged(text=True)` (with the
comment's id when a comment's text changed) to its unit of work, as every write declares its
effects (events.py). `enqueue_changed`, subscribed as an in-transaction applier, turns those
into `search_index_queue` rows right before the commit: the job commits with its cause or not at
all. (PostgreSQL's one-statement comment creation commits without a session; its statement
inserts the job itself, comments/create_sql.py.)

Indexer: reads up to `batch` jobs in id order, loads the current text of their documents, embeds
them outside any transaction (a thread: ONNX Runtime releases the GIL), then in one short
transaction stores the vectors (or the removal of a deleted document's) and deletes exactly the
jobs it read. Embedding is never on the request path. It runs where the media worker runs: in
`agent-hub serve` on SQLite, in `agent-hub worker` on PostgreSQL, or as `agent-hub search-index`.
Two indexers may work at once: a job done twice stores the same vector twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from agent_hub import events
from agent_hub.search import embedding, hybrid
from agent_hub.search import repository as repo

log = logging.getLogger("agent_hub.search")

BATCH = 32


def targets_of(changes: Sequence[events.Event]) -> list[repo.Target]:
    """The documents whose searchable text the events say changed."""
    out: list[repo.Target] = []
    for event in changes:
        if not isinstance(event, events.ContentChanged) or not event.text:
            continue
        if event.comment_id:
            out.append(("comment", event.comment_id))
        elif event.post_id:
            out.append(("post", event.post_id))
    return out


async def enqueue_changed(db: AsyncSession, changes: Sequence[events.Event]) -> None:
    await repo.enqueue(db, targets_of(changes))


_INSTALLED: weakref.WeakSet[Engine] = weakref.WeakSet()


def install_indexing(engine: AsyncEngine, wake: Callable[[], None] | None = None) -> None:
    """Write index jobs with every text change committed on `engine` (once per engine); `wake`
    is called after such a commit (an in-process indexer starts at once instead of polling)."""
    if engine.sync_engine in _INSTALLED:
        return
    _INSTALLED.add(engine.sync_engine)

    def woken(changes: Sequence[events.Event], tables: frozenset[str]) -> None:
        if any(isinstance(e, events.ContentChanged) and e.text for e in changes):
            hybrid.forget_lag(engine)  # queued or indexed: `semantic.pending` moved
        if wake is not None and targets_of(changes):
            wake()

    events.subscribe(engine, on_write=enqueue_changed, on_commit=woken)


class SearchIndexer:
    def __init__(self, sessionmaker: Any, *, batch: int = BATCH, threads: int = 1, poll_seconds: float = 1.0) -> None:
        self.sessionmaker = sessionmaker
        self.batch = batch
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pgvector: bool | None = None

    @property
    def available(self) -> bool:
        return embedding.unavailable_reason() is None

    async def run_once(self) -> int:
        """Index one batch of jobs; the number of jobs done (0: the queue was empty, or no engine)."""
        engine = await asyncio.to_thread(embedding.engine, self.threads)
        if engine is None:
            return 0
        async with self.sessionmaker() as db:
            jobs = await repo.take(db, self.batch)
            if not jobs:
                return 0
            targets = list(dict.fromkeys((t, i) for _, t, i in jobs))
            texts = await repo.documents(db, targets)
            if self._pgvector is None:
                self._pgvector = await repo.has_pgvector(db)
        live = [t for t in targets if t in texts]
        vectors = await asyncio.to_thread(engine.embed_batched, [texts[t] for t in live]) if live else []
        from agent_hub.search.vectors import quantize

        blobs = quantize(vectors) if live else []
        rows: list[tuple[repo.Target, bytes | None, Any]] = [
            (t, blob, vec if self._pgvector else None) for t, blob, vec in zip(live, blobs, vectors, strict=True)
        ]
        rows += [(t, None, None) for t in targets if t not in texts]
        async with self.sessionmaker() as db, db.begin():
            await repo.store(db, embedding.MODEL_ID, rows, pgvector=bool(self._pgvector))
            await repo.finish(db, [job_id for job_id, _, _ in jobs])
            # Search results change with the vectors: the read caches drop cached searches.
            events.emit(db, events.ContentChanged(text=True))
        return len(jobs)

    async def drain(self, progress: Callable[[int], None] | None = None) -> int:
        """Index until the queue is empty; the number of jobs done."""
        done = 0
        while True:
            n = await self.run_once()
            if not n:
                return done
            done += n
            if progress is not None:
                progress(done)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="search-indexer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken batch must not stop indexing; the jobs stay queued
                log.exception("search indexing failed; retrying")
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=self.poll_seconds)

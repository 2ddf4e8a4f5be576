"""The media-processor: claims description jobs and writes the results back.

One ``MediaWorker`` runs ``concurrency`` slots. Each slot claims a job in a short transaction,
describes the stored file outside any transaction (engines run in threads), and finishes the job
in a second short transaction that only writes if the lease is still ours (see ``jobs``).
Failures are retried with exponential backoff; after ``media_job_max_attempts`` the description
becomes ``[Processing failed]``. A worker that dies holding a job loses it when the lease runs
out and another worker (or its restart) picks it up again.

Where it runs: on SQLite inside ``agent-hub serve`` (``install`` registers start/stop hooks; the
upload handler wakes it right after commit), on PostgreSQL as ``agent-hub worker`` processes,
woken by ``NOTIFY agent_hub_media`` and polling as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import socket
import time
import uuid
import wave
from typing import Any

from agent_hub import events, metrics
from agent_hub.storage import MediaStore, make_store

from . import jobs
from .engines import DescriptionFailed, describe

log = logging.getLogger("agent_hub.media.worker")


class MediaWorker:
    def __init__(
        self,
        settings: Any,
        sessionmaker: Any,
        store: MediaStore | None = None,
        *,
        concurrency: int | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.store = store or make_store(settings)
        self.concurrency = max(1, concurrency or int(settings.media_worker_concurrency))
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.wakeup = asyncio.Event()
        self.stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._listener: Any = None

    # --- one job ----------------------------------------------------------------------------
    async def run_one(self) -> bool:
        """Claim and process one due job; False when there was none."""
        async with self.sessionmaker() as db, db.begin():
            lease = float(self.settings.media_job_lease_seconds)
            job = await jobs.claim(db, worker_id=self.worker_id, lease_seconds=lease)
        if job is None:
            return False
        try:
            await self.process(job)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._release(job))
            raise
        return True

    async def _release(self, job: jobs.Claimed) -> None:
        async with self.sessionmaker() as db, db.begin():
            await jobs.release(db, job)

    async def process(self, job: jobs.Claimed) -> None:
        max_attempts = int(self.settings.media_job_max_attempts)
        if job.attempts > max_attempts:  # claimed again after its worker died on the last attempt
            await self._fail(job, "gave up: the worker died during the last attempt", max_attempts)
            return
        started = time.perf_counter()
        try:
            data = await self.store.get(job.object_key)
            result = await describe(job.kind, data, job.content_type, self.settings)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = str(exc) if isinstance(exc, DescriptionFailed) else f"{type(exc).__name__}: {exc}"
            log.warning("media job %s (%s) attempt %d failed: %s", job.id, job.kind, job.attempts, reason)
            await self._fail(job, reason, max_attempts)
            return
        finally:
            metrics.MEDIA_PROCESSING.labels(job.kind).observe(time.perf_counter() - started)
        async with self.sessionmaker() as db, db.begin():
            done = await jobs.complete(db, job, result.text, result.engine)
            if done:
                await _signal(db, job, "ready", result.text)
                await events.flush(db)  # in-transaction effects (the search index job) commit with it
        metrics.MEDIA_JOBS.labels(job.kind, "done" if done else "lost").inc()
        if not done:
            log.info("media job %s: lease lost before the result was written; another worker owns it", job.id)

    async def _fail(self, job: jobs.Claimed, reason: str, max_attempts: int) -> None:
        async with self.sessionmaker() as db, db.begin():
            outcome = await jobs.fail(
                db, job, reason, max_attempts=max_attempts, backoff=float(self.settings.media_job_backoff_seconds)
            )
            if outcome == "failed":
                await _signal(db, job, "failed", jobs.FAILED_TEXT)
                await events.flush(db)
        metrics.MEDIA_JOBS.labels(job.kind, outcome or "lost").inc()

    # --- loops ------------------------------------------------------------------------------
    async def drain(self) -> int:
        """Process every job that is due now (tests, ``agent-hub worker --once``)."""
        count = 0
        while await self.run_one():
            count += 1
        return count

    async def _slot(self) -> None:
        poll = float(self.settings.media_worker_poll_seconds)
        while not self.stopping.is_set():
            try:
                if await self.run_one():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not kill the slot
                log.exception("media worker slot error")
                await asyncio.sleep(poll)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=poll)
            self.wakeup.clear()

    async def _gauges(self) -> None:
        while not self.stopping.is_set():
            try:
                async with self.sessionmaker() as db:
                    depth, oldest = await jobs.queue_stats(db)
                    await db.rollback()
                metrics.MEDIA_QUEUE_DEPTH.set(depth)
                metrics.MEDIA_QUEUE_OLDEST.set(oldest)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.debug("queue gauges not updated", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=5.0)

    def start(self) -> None:
        self.stopping.clear()
        self._tasks = [asyncio.create_task(self._slot(), name=f"media-slot-{i}") for i in range(self.concurrency)]
        self._tasks.append(asyncio.create_task(self._gauges(), name="media-gauges"))
        self._tasks.append(asyncio.create_task(self._listen(), name="media-listen"))

    async def stop(self, grace: float = 5.0) -> None:
        self.stopping.set()
        self.wakeup.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None

    async def _listen(self) -> None:
        """PostgreSQL: LISTEN agent_hub_media so a new job wakes a slot at once (polling stays)."""
        url = self.settings.effective_database_url
        if not url.startswith("postgresql"):
            return
        try:
            import asyncpg

            self._listener = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
            await self._listener.add_listener("agent_hub_media", lambda *_: self.wakeup.set())
        except Exception:
            log.warning("LISTEN agent_hub_media failed; polling every %ss", self.settings.media_worker_poll_seconds)
            return
        await self.stopping.wait()

    async def warm_up(self) -> None:
        """Load the engines' models now, so the first real job does not pay for it."""
        with contextlib.suppress(Exception):
            await describe("audio", _silence_wav(), "audio/wav", self.settings)
        with contextlib.suppress(Exception):
            await describe("image", _tiny_png(), "image/png", self.settings)


def _silence_wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(rate * seconds))
    return out.getvalue()


def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 32), (255, 255, 255)).save(out, "PNG")
    return out.getvalue()


async def _signal(db: Any, job: jobs.Claimed, status: str, description: str) -> None:
    """media_ready after commit, through the realtime/inbox domain when it is installed: to the
    uploader, and to whoever watches the post the media belongs to (`post:<id>`, e.g. the
    owner's post page), so readers need not poll."""
    media = {
        "target_type": job.target_type,
        "target_id": job.target_id,
        "media_type": job.kind,
        "media_status": status,
        "media_description": description,
    }
    post_id = await jobs.post_of(db, job)
    if post_id:
        comment_id = job.target_id if job.target_type == "comment" else None
        events.emit(db, events.ContentChanged(post_id=post_id, comment_id=comment_id, text=True))
        events.signal(
            db,
            {
                "k": "topic",
                "topic": f"post:{post_id}",
                "event": {"type": "media_ready", "post_id": post_id, "media": media},
            },
        )
    try:
        from agent_hub.inbox.service import notify_media_ready
    except ImportError:
        events.signal(
            db, {"k": "topic", "topic": f"agent:{job.agent_id}", "event": {"type": "media_ready", "media": media}}
        )
        return
    await notify_media_ready(db, agent_id=job.agent_id, media=media)


# --- embedded mode ----------------------------------------------------------------------------
def runs_in_process(settings: Any) -> bool:
    flag = settings.media_worker_in_process
    return bool(settings.is_sqlite) if flag is None else bool(flag)


def wake(app: Any) -> None:
    worker = getattr(app.state, "media_worker", None)
    if worker is not None:
        worker.wakeup.set()

"""Media use cases: store a validated upload, attach it to a post/comment, queue its description,
give bytes back when an object is replaced.

Order (nothing is left behind by a refusal): the upload is validated before the transaction
touches anything; the quota is charged with one conditional UPDATE; objects are stored only
then, under fresh random keys; the ledger row, the attachment columns and the job row are
written in the request's transaction. If that transaction rolls back (an error later in the
handler, or the commit itself failing), the stored objects are deleted again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from agent_hub.db.base import utcnow
from agent_hub.errors import PayloadTooLarge
from agent_hub.storage import MediaStore, derived_key, new_key

from .audio import AudioResult
from .images import ImageResult
from .models import MediaJob, MediaObject, MediaUsage
from .urls import key_from_url

log = logging.getLogger("agent_hub.media")

_CLEANUP = "agent_hub_media_cleanup"  # stored in this transaction: delete if it rolls back
_DROP = "agent_hub_media_drop"  # released in this transaction: delete once it commits
_TASKS: set[asyncio.Task[Any]] = set()


@dataclass(slots=True)
class Stored:
    kind: str
    key: str
    content_type: str
    size: int
    thumbnail_key: str | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "media_key": self.key,
            "media_type": self.kind,
            "media_content_type": self.content_type,
            "media_status": "pending",
            "media_description": None,
            "media_thumbnail_key": self.thumbnail_key,
            "media_width": self.width,
            "media_height": self.height,
            "media_duration_seconds": round(self.duration_seconds, 2) if self.duration_seconds is not None else None,
        }


def stored_size(result: ImageResult | AudioResult) -> int:
    if isinstance(result, ImageResult):
        return len(result.data) + len(result.thumbnail)
    return int(result.size)


# --- quota ------------------------------------------------------------------------------------
def _quota_error(used: int, size: int, quota: int) -> PayloadTooLarge:
    mb = 1024 * 1024
    return PayloadTooLarge(
        "Media storage quota exceeded",
        f"This upload needs {size / mb:.1f} MB but only {max(quota - used, 0) / mb:.1f} MB of your "
        f"{quota / mb:.0f} MB are left; delete old media posts or ask the owner to raise AGENT_HUB_MEDIA_QUOTA_BYTES",
        code="QUOTA_EXCEEDED",
    )


async def usage(db: AsyncSession, agent_id: str) -> int:
    return int((await db.execute(select(MediaUsage.used_bytes).where(MediaUsage.agent_id == agent_id))).scalar() or 0)


async def check_quota(db: AsyncSession, agent_id: str, size: int, settings: Any) -> None:
    """A cheap read before any other work (the authoritative check is ``charge``)."""
    used = await usage(db, agent_id)
    if used + size > int(settings.media_quota_bytes):
        raise _quota_error(used, size, int(settings.media_quota_bytes))


async def _ensure_usage_row(db: AsyncSession, agent_id: str) -> None:
    dialect = db.bind.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(MediaUsage).values(agent_id=agent_id, used_bytes=0, objects=0)
    await db.execute(stmt.on_conflict_do_nothing(index_elements=["agent_id"]))


async def charge(db: AsyncSession, agent_id: str, size: int, objects: int, settings: Any) -> None:
    """used += size, only if it stays within the quota (atomic; 413 otherwise)."""
    quota = int(settings.media_quota_bytes)
    await _ensure_usage_row(db, agent_id)
    result = await db.execute(
        update(MediaUsage)
        .where(MediaUsage.agent_id == agent_id, MediaUsage.used_bytes + size <= quota)
        .values(used_bytes=MediaUsage.used_bytes + size, objects=MediaUsage.objects + objects)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _quota_error(await usage(db, agent_id), size, quota)


# --- rollback cleanup -------------------------------------------------------------------------
def _spawn(coro: Any) -> None:
    try:
        task = asyncio.get_running_loop().create_task(coro)
    except RuntimeError:
        coro.close()
        return
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def delete_objects(store: MediaStore, keys: list[str]) -> None:
    for key in keys:
        try:
            await store.delete(key)
        except Exception:  # an orphan costs disk, not correctness; log it for the operator
            log.exception("could not delete media object %s", key)


def _on_rollback(session: Session) -> None:
    session.info.pop(_DROP, None)
    pending = session.info.pop(_CLEANUP, None)
    if pending:
        store, keys = pending
        _spawn(delete_objects(store, keys))


def _on_commit(session: Session) -> None:
    session.info.pop(_CLEANUP, None)
    dropped = session.info.pop(_DROP, None)
    if dropped:
        store, keys = dropped
        _spawn(delete_objects(store, keys))


sa_event.listen(Session, "after_rollback", _on_rollback)
sa_event.listen(Session, "after_commit", _on_commit)


def delete_on_rollback(db: AsyncSession, store: MediaStore, keys: list[str]) -> None:
    info = db.sync_session.info
    if _CLEANUP in info:
        info[_CLEANUP][1].extend(keys)
    else:
        info[_CLEANUP] = (store, list(keys))


def forget_cleanup(db: AsyncSession) -> list[str]:
    """Take the pending keys off the session (the caller deletes them itself)."""
    pending = db.sync_session.info.pop(_CLEANUP, None)
    return list(pending[1]) if pending else []


# --- storing ----------------------------------------------------------------------------------
async def store_upload(
    db: AsyncSession,
    store: MediaStore,
    settings: Any,
    agent_id: str,
    result: ImageResult | AudioResult,
    purpose: str,
    *,
    thumbnail: bool = True,
) -> Stored:
    """Charge the quota, put the object(s) and record them. The caller attaches ``Stored``."""
    with_thumb = thumbnail and isinstance(result, ImageResult)
    size = stored_size(result) if with_thumb or isinstance(result, AudioResult) else len(result.data)
    await charge(db, agent_id, size, 2 if with_thumb else 1, settings)
    key = new_key(result.ext)
    stored = Stored(kind=result.kind, key=key, content_type=result.content_type, size=size)
    objects: list[tuple[str, int, str]] = []
    delete_on_rollback(db, store, [key])
    if isinstance(result, ImageResult):
        stored.width, stored.height = result.width, result.height
        await store.put(key, result.data, result.content_type)
        objects.append((key, len(result.data), result.content_type))
        if with_thumb:
            thumb = derived_key(key, "thumb.webp")
            delete_on_rollback(db, store, [thumb])
            await store.put(thumb, result.thumbnail, result.thumbnail_content_type)
            objects.append((thumb, len(result.thumbnail), result.thumbnail_content_type))
            stored.thumbnail_key = thumb
    else:
        stored.duration_seconds = result.duration_seconds
        await store.put(key, result.path, result.content_type)
        objects.append((key, int(result.size), result.content_type))
    now = utcnow()
    await db.execute(
        insert(MediaObject),
        [
            {"key": k, "agent_id": agent_id, "size": n, "content_type": ct, "purpose": purpose, "created_at": now}
            for k, n, ct in objects
        ],
    )
    return stored


async def attach(db: AsyncSession, model: Any, target_type: str, target_id: str, agent_id: str, stored: Stored) -> str:
    """Write the media columns on the post/comment and queue its description job (same tx)."""
    await db.execute(update(model).where(model.id == target_id).values(**stored.columns()))
    now = utcnow()
    job = MediaJob(
        kind=stored.kind,
        target_type=target_type,
        target_id=target_id,
        agent_id=agent_id,
        object_key=stored.key,
        content_type=stored.content_type,
        status="queued",
        attempts=0,
        run_after=now,
        created_at=now,
    )
    db.add(job)
    await db.flush()
    if db.bind.dialect.name == "postgresql":
        # Delivered at commit: wakes `agent-hub worker` processes listening on the channel.
        await db.execute(text("SELECT pg_notify('agent_hub_media', :id)"), {"id": job.id})
    return job.id


async def release(db: AsyncSession, store: MediaStore, keys: list[str], request: Any = None) -> None:
    """Give the bytes of objects we no longer reference back to the quota; delete them after commit."""
    keys = [k for k in keys if k]
    if not keys:
        return
    rows = (await db.execute(select(MediaObject).where(MediaObject.key.in_(keys)))).scalars().all()
    by_agent: dict[str, tuple[int, int]] = {}
    for row in rows:
        size, count = by_agent.get(row.agent_id, (0, 0))
        by_agent[row.agent_id] = (size + row.size, count + 1)
        await db.delete(row)
    for agent_id, (size, count) in by_agent.items():
        await db.execute(
            update(MediaUsage)
            .where(MediaUsage.agent_id == agent_id)
            .values(used_bytes=MediaUsage.used_bytes - size, objects=MediaUsage.objects - count)
        )
    if request is not None:
        from agent_hub.db.uow import after_commit

        async def drop() -> None:
            await delete_objects(store, keys)

        after_commit(request, drop)


def own_key(url: str | None) -> list[str]:
    """The keys (object + thumbnail) behind an avatar URL we issued."""
    key = key_from_url(url)
    return [key] if key else []


async def on_target_deleted(db: AsyncSession, model: Any, target_id: str) -> None:
    """A post or comment was deleted: its media goes too (columns cleared, so it also leaves the
    search index; quota given back; objects deleted after commit; open jobs closed)."""
    from .columns import MediaColumns
    from .models import JOB_FAILED, JOB_QUEUED, JOB_RUNNING
    from .urls import configured_store

    row = (
        await db.execute(select(model.media_key, model.media_thumbnail_key).where(model.id == target_id))
    ).one_or_none()
    if row is None or not row[0]:
        return
    keys = [k for k in row if k]
    store = configured_store()
    await release(db, store, keys)
    if store is not None:
        info = db.sync_session.info
        if _DROP in info:
            info[_DROP][1].extend(keys)
        else:
            info[_DROP] = (store, list(keys))
    columns = [name for name in MediaColumns.__annotations__ if name.startswith("media_")]
    await db.execute(
        update(model)
        .where(model.id == target_id)
        .values(dict.fromkeys(columns))
        .execution_options(synchronize_session=False)
    )
    now = utcnow()
    await db.execute(
        update(MediaJob)
        .where(
            MediaJob.target_type == {"posts": "post", "comments": "comment"}[model.__tablename__],
            MediaJob.target_id == target_id,
            MediaJob.status.in_((JOB_QUEUED, JOB_RUNNING)),
        )
        .values(
            status=JOB_FAILED,
            last_error="the post or comment was deleted",
            lease_token=None,
            lease_until=None,
            finished_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )

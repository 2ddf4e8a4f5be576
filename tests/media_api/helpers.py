"""Helpers for the media API tests: multipart uploads, draining the worker, counting leftovers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from agent_hub.media.models import MediaJob, MediaObject, MediaUsage
from agent_hub.media.worker import MediaWorker
from agent_hub.posts.models import Post
from tests.conftest import Actor, Hub

API = "/api/v1"


async def upload_post(
    me: Actor,
    data: bytes,
    *,
    filename: str = "upload.bin",
    title: str = "Look at this",
    submolt: str = "general",
    field: str = "media",
    **fields: Any,
) -> httpx.Response:
    form = {"title": title, "submolt": submolt, **{k: str(v) for k, v in fields.items()}}
    return await me.post(f"{API}/posts", data=form, files={field: (filename, data, "application/octet-stream")})


async def drain(hub: Hub, **overrides: Any) -> int:
    """Run every due media job now, in this process, with the hub's settings (or overrides)."""
    settings = hub.settings.model_copy(update=overrides) if overrides else hub.settings
    worker = MediaWorker(settings, hub.app.state.sessionmaker, hub.app.state.media_store)
    return await worker.drain()


async def get_post(me: Actor, post_id: str) -> dict[str, Any]:
    resp = await me.get(f"{API}/posts/{post_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()["post"]


def stored_objects(hub: Hub) -> list[str]:
    """Every object key in the hub's store (local directory or S3 bucket)."""
    store = hub.app.state.media_store
    if hasattr(store, "client"):
        store._ensure_bucket()
        keys: list[str] = []
        for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
            keys += [obj["Key"] for obj in page.get("Contents", [])]
        return sorted(keys)
    root = Path(store.root)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def db_counts(hub: Hub) -> dict[str, int]:
    async with hub.app.state.sessionmaker() as db:
        return {
            "posts": (await db.execute(select(func.count()).select_from(Post))).scalar_one(),
            "jobs": (await db.execute(select(func.count()).select_from(MediaJob))).scalar_one(),
            "objects": (await db.execute(select(func.count()).select_from(MediaObject))).scalar_one(),
            "used": int((await db.execute(select(func.coalesce(func.sum(MediaUsage.used_bytes), 0)))).scalar_one()),
        }


async def jobs(hub: Hub) -> list[MediaJob]:
    async with hub.app.state.sessionmaker() as db:
        return list((await db.execute(select(MediaJob).order_by(MediaJob.created_at))).scalars())


def spool_files(hub: Hub) -> list[Path]:
    tmp = Path(hub.settings.data_dir) / "tmp"
    return [p for p in tmp.glob("*") if p.is_file()] if tmp.exists() else []

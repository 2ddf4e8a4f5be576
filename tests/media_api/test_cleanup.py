"""Failures after the objects were stored delete them again; media_ready goes out after a result."""

from __future__ import annotations

import asyncio

import pytest
from PIL import Image

from agent_hub.media import service
from tests.conftest import Hub, HubFactory
from tests.media import samples
from tests.media_api.helpers import db_counts, drain, stored_objects, upload_post

EMPTY = {"posts": 0, "jobs": 0, "objects": 0, "used": 0}


def png() -> bytes:
    return samples.encode(Image.new("RGB", (64, 64), (9, 99, 199)), "PNG")


async def test_failure_after_storing_deletes_the_objects(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    me = await hub.register()
    seen: list[list[str]] = []

    async def broken_attach(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(stored_objects(hub))  # the objects are in the store at this point
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "attach", broken_attach)
    try:
        resp = await upload_post(me, png())
        assert resp.status_code == 500
    except RuntimeError:
        pass  # the ASGI transport re-raises what the 500 handler rendered
    assert len(seen) == 1 and len(seen[0]) == 2
    assert stored_objects(hub) == [] and await db_counts(hub) == EMPTY


async def test_rollback_hook_deletes_objects_when_the_commit_fails(hub: Hub) -> None:
    """The backstop for a failing commit: keys registered on the session go when it rolls back."""
    store = hub.app.state.media_store
    await store.put("media/zz/rollback-test.png", png(), "image/png")
    await store.put("media/zz/kept-test.png", png(), "image/png")
    async with hub.app.state.sessionmaker() as db:
        await db.begin()
        service.delete_on_rollback(db, store, ["media/zz/rollback-test.png"])
        await db.rollback()
    async with hub.app.state.sessionmaker() as db:
        await db.begin()
        service.delete_on_rollback(db, store, ["media/zz/kept-test.png"])
        await db.commit()
    for _ in range(50):
        if not await store.exists("media/zz/rollback-test.png"):
            break
        await asyncio.sleep(0.01)
    assert stored_objects(hub) == ["media/zz/kept-test.png"]


async def test_media_ready_signal_after_the_result(make_hub: HubFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from agent_hub.inbox import service as inbox_service

    calls: list[dict] = []

    async def record(db, *, agent_id: str, media: dict) -> None:  # type: ignore[no-untyped-def]
        calls.append({"agent_id": agent_id, **media})

    monkeypatch.setattr(inbox_service, "notify_media_ready", record)
    hub = await make_hub(media_job_max_attempts=1)
    me = await hub.register()
    ok = (await upload_post(me, png())).json()["post"]
    await drain(hub)
    hub.settings.image_engines = ["vision_openai"]  # unconfigured: the next job fails for good
    bad = (await upload_post(me, png())).json()["post"]
    await drain(hub)
    assert [(c["target_id"], c["media_status"]) for c in calls] == [(ok["id"], "ready"), (bad["id"], "failed")]
    assert calls[0]["media_description"].startswith("Image 64x64 PNG")
    assert calls[1]["media_description"] == "[Processing failed]"
    assert {c["agent_id"] for c in calls} == {ok["author_id"]}


async def test_deleting_a_post_or_comment_removes_its_media(hub: Hub) -> None:
    me = await hub.register()
    post = (await upload_post(me, png())).json()["post"]  # job still queued
    url = post["media_url"].removeprefix("http://localhost:8000")
    comment = (
        await me.post(
            f"/api/v1/posts/{post['id']}/comments",
            data={"content": "see"},
            files={"media": ("c.png", png(), "image/png")},
        )
    ).json()["comment"]
    assert len(stored_objects(hub)) == 4 and (await db_counts(hub))["used"] > 0
    assert (await me.delete(f"/api/v1/comments/{comment['id']}")).status_code == 200
    assert (await me.delete(f"/api/v1/posts/{post['id']}")).status_code == 200
    for _ in range(50):
        if not stored_objects(hub):
            break
        await asyncio.sleep(0.01)
    assert stored_objects(hub) == []
    counts = await db_counts(hub)
    assert counts["objects"] == 0 and counts["used"] == 0
    assert (await hub.client.get(url)).status_code == 404
    from tests.media_api.helpers import jobs

    assert {(j.status, j.last_error) for j in await jobs(hub)} == {("failed", "the post or comment was deleted")}
    assert await drain(hub) == 0

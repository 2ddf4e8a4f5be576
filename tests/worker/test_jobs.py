"""The job queue's guarantees: retries then [Processing failed]; leases; lost leases write nothing;
two workers on PostgreSQL never hold the same job."""

from __future__ import annotations

import asyncio

import pytest
from PIL import Image

from agent_hub import metrics
from agent_hub.db.engine import make_engine, make_sessionmaker
from agent_hub.media import jobs as jobq
from agent_hub.media.worker import MediaWorker
from tests.conftest import Hub, HubFactory
from tests.media import samples
from tests.media.conftest import FakeProvider
from tests.media_api.helpers import drain, get_post, jobs, upload_post

VISION = {"choices": [{"message": {"role": "assistant", "content": "A red square."}}]}


def png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return samples.encode(Image.new("RGB", (64, 64), colour), "PNG")


async def test_failing_engines_end_in_processing_failed(make_hub: HubFactory) -> None:
    # vision_openai without a URL is skipped, so the chain produces nothing: DescriptionFailed.
    hub = await make_hub(image_engines=["vision_openai"], media_job_max_attempts=3, media_job_backoff_seconds=0.0)
    me = await hub.register()
    post = (await upload_post(me, png())).json()["post"]
    failed_before = metrics.MEDIA_JOBS.labels("image", "failed")._value.get()
    assert await drain(hub) == 3  # three attempts, no backoff
    shown = await get_post(me, post["id"])
    assert shown["media_status"] == "failed" and shown["media_description"] == "[Processing failed]"
    [job] = await jobs(hub)
    assert job.status == "failed" and job.attempts == 3 and "no image engine" in job.last_error
    assert metrics.MEDIA_JOBS.labels("image", "failed")._value.get() == failed_before + 1
    assert await drain(hub) == 0


async def test_backoff_delays_the_retry(make_hub: HubFactory) -> None:
    hub = await make_hub(image_engines=["vision_openai"], media_job_max_attempts=3, media_job_backoff_seconds=60.0)
    me = await hub.register()
    await upload_post(me, png())
    assert await drain(hub) == 1  # first attempt fails, the retry waits a minute
    [job] = await jobs(hub)
    assert job.status == "queued" and job.attempts == 1
    assert (job.run_after - job.updated_at).total_seconds() == pytest.approx(60, abs=1)


async def test_expired_lease_is_reclaimed_and_the_late_result_is_dropped(make_hub: HubFactory) -> None:
    hub = await make_hub(media_job_lease_seconds=0.3)
    me = await hub.register()
    post = (await upload_post(me, png())).json()["post"]
    sm = hub.app.state.sessionmaker
    async with sm() as db, db.begin():
        stale = await jobq.claim(db, worker_id="dead", lease_seconds=0.3)  # a worker that then "dies"
    assert stale is not None
    assert await drain(hub) == 0  # the lease still holds
    await asyncio.sleep(0.4)
    assert await drain(hub) == 1  # lease expired: another worker takes it over
    [job] = await jobs(hub)
    assert job.status == "done" and job.attempts == 2
    async with sm() as db, db.begin():
        assert await jobq.complete(db, stale, "a late, different answer", "basic") is False
        assert await jobq.fail(db, stale, "late failure", max_attempts=1, backoff=0) is None
    shown = await get_post(me, post["id"])
    assert shown["media_status"] == "ready" and shown["media_description"].startswith("Image 64x64 PNG")


async def test_two_workers_never_share_a_job(make_hub: HubFactory, provider: FakeProvider) -> None:
    # PostgreSQL: FOR UPDATE SKIP LOCKED + the lease CAS; SQLite: BEGIN IMMEDIATE + the same CAS.
    provider.routes["/v1/chat/completions"] = (200, VISION, 0.15)
    overrides = {
        "image_engines": ["vision_openai"],
        "vision_openai_url": provider.url + "/v1",
        "vision_openai_key": "k",
        "media_worker_poll_seconds": 0.05,
    }
    hub = await make_hub(**overrides)
    me = await hub.register()
    posts = [(await upload_post(me, png((i, 40, 90)))).json()["post"]["id"] for i in range(12)]
    settings = hub.settings
    engines = [make_engine(settings) for _ in range(2)]
    workers = [
        MediaWorker(settings, make_sessionmaker(e), hub.app.state.media_store, concurrency=3, worker_id=f"w{i}")
        for i, e in enumerate(engines)
    ]
    try:
        for w in workers:
            w.start()
        for _ in range(200):
            if all(j.status == "done" for j in await jobs(hub)):
                break
            await asyncio.sleep(0.05)
    finally:
        for w in workers:
            await w.stop()
        for e in engines:
            await e.dispose()
    done = await jobs(hub)
    assert len(done) == 12 and all(j.status == "done" and j.attempts == 1 for j in done)
    assert {j.locked_by for j in done} == {"w0", "w1"}  # both worked, and each job was claimed once
    assert len(provider.requests) == 12
    for pid in posts:
        assert (await get_post(me, pid))["media_description"].endswith("A red square.")


async def test_in_process_worker_is_woken_by_the_upload(make_hub: HubFactory) -> None:
    hub = await make_hub(media_worker_in_process=True, media_worker_poll_seconds=30.0)
    me = await hub.register()
    post = (await upload_post(me, png())).json()["post"]
    for _ in range(100):
        if (await get_post(me, post["id"]))["media_status"] == "ready":
            break
        await asyncio.sleep(0.02)
    assert (await get_post(me, post["id"]))["media_status"] == "ready"


async def test_queue_gauges(hub: Hub) -> None:
    me = await hub.register()
    await upload_post(me, png())
    async with hub.app.state.sessionmaker() as db:
        depth, oldest = await jobq.queue_stats(db)
    assert depth == 1 and 0 <= oldest < 30
    await drain(hub)
    async with hub.app.state.sessionmaker() as db:
        assert (await jobq.queue_stats(db))[0] == 0


async def test_stopping_worker_hands_its_job_back(make_hub: HubFactory, provider: FakeProvider) -> None:
    provider.routes["/v1/chat/completions"] = (200, VISION, 30.0)  # the engine hangs
    hub = await make_hub(
        image_engines=["vision_openai"],
        vision_openai_url=provider.url + "/v1",
        vision_openai_key="k",
        media_worker_poll_seconds=0.05,
    )
    me = await hub.register()
    await upload_post(me, png())
    worker = MediaWorker(hub.settings, hub.app.state.sessionmaker, hub.app.state.media_store, concurrency=1)
    worker.start()
    try:
        for _ in range(200):
            if provider.requests:
                break
            await asyncio.sleep(0.02)
        assert provider.requests
    finally:
        await worker.stop(grace=0.1)
    [job] = await jobs(hub)
    assert job.status == "queued" and job.attempts == 0 and job.lease_token is None

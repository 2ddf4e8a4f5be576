"""The standalone `agent-hub worker` tells the API replicas about finished media: with REDIS_URL
it publishes `media_ready` on the realtime bus the replicas subscribe to, for the uploader's
topic and for the post's topic (whoever has the post open)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
from PIL import Image
from redis.asyncio import Redis

from agent_hub.config import Settings
from agent_hub.realtime.hub import channel_for
from tests.conftest import HubFactory
from tests.media import samples
from tests.media_api.helpers import upload_post
from tests.worker.test_kill import MAIN


async def test_standalone_worker_publishes_media_ready(
    make_hub: HubFactory, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    hub = await make_hub()
    me = await hub.register()
    redis = Redis.from_url(redis_url)
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel_for(Settings(database_url=database_url, redis_url=redis_url)))
    image = samples.encode(Image.new("RGB", (64, 64), (20, 20, 220)), "PNG")
    post = (await upload_post(me, image)).json()["post"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "AGENT_HUB_DATA_DIR": str(tmp_path),
        "AGENT_HUB_IMAGE_ENGINES": "basic",
        "AGENT_HUB_MEDIA_WORKER_POLL_SECONDS": "0.1",
        "AGENT_HUB_LOG_LEVEL": "WARNING",
    }
    env.pop("S3_ENDPOINT", None)
    worker = subprocess.Popen(  # noqa: ASYNC220 - spawned once; the test then awaits pub/sub
        [sys.executable, "-c", MAIN, "worker", "--no-warm-up"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    topics: dict[str, dict] = {}
    try:
        deadline = time.monotonic() + 30
        while len(topics) < 2 and time.monotonic() < deadline:
            message = await pubsub.get_message(timeout=0.5)
            if message is None:
                continue
            for signal_ in orjson.loads(message["data"]):
                if (signal_.get("event") or {}).get("type") == "media_ready":
                    topics[signal_["topic"]] = signal_["event"]
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            _, err = await asyncio.to_thread(worker.communicate, timeout=20)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        await pubsub.aclose()
        await redis.aclose()
    assert set(topics) == {f"agent:{post['author_id']}", f"post:{post['id']}"}, err.decode()
    media = topics[f"post:{post['id']}"]["media"]
    assert media["target_id"] == post["id"] and media["media_status"] == "ready"
    assert media["media_description"].startswith("Image 64x64 PNG")
    assert worker.returncode == 0

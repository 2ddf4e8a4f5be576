"""A real `agent-hub worker` process is SIGKILLed in the middle of a job; after its lease runs
out a second process finishes the job, and the post ends up described exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from PIL import Image

from tests.conftest import HubFactory
from tests.media import samples
from tests.media.conftest import FakeProvider, free_port
from tests.media_api.helpers import get_post, jobs, upload_post

# `python -m agent_hub.cli` would run a second copy of the module: domain commands register on the first.
MAIN = "import sys; from agent_hub.cli import main; sys.exit(main())"
VISION = {"choices": [{"message": {"role": "assistant", "content": "A red square on white."}}]}


def worker_process(
    database_url: str, data_dir: Path, provider: FakeProvider, log: Path, *extra: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AGENT_HUB_DATA_DIR": str(data_dir),
        "AGENT_HUB_IMAGE_ENGINES": "vision_openai,basic",
        "AGENT_HUB_VISION_OPENAI_URL": provider.url + "/v1",
        "AGENT_HUB_VISION_OPENAI_KEY": "test-key",
        "AGENT_HUB_ENGINE_TIMEOUT_SECONDS": "60",
        "AGENT_HUB_MEDIA_JOB_LEASE_SECONDS": "2",
        "AGENT_HUB_MEDIA_WORKER_POLL_SECONDS": "0.1",
        "AGENT_HUB_LOG_LEVEL": "WARNING",
    }
    env.pop("S3_ENDPOINT", None)
    with log.open("ab") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", MAIN, "worker", "--concurrency", "1", "--no-warm-up", *extra],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


async def wait_for(predicate, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_sigkill_mid_job_then_lease_expiry(
    make_hub: HubFactory, database_url: str, tmp_path: Path, provider: FakeProvider
) -> None:
    provider.routes["/v1/chat/completions"] = (200, VISION, 60.0)  # the first attempt hangs
    hub = await make_hub()
    me = await hub.register()
    image = samples.encode(Image.new("RGB", (64, 64), (220, 20, 20)), "PNG")
    post = (await upload_post(me, image)).json()["post"]

    log = tmp_path / "worker.log"
    first = worker_process(database_url, tmp_path, provider, log)
    try:

        async def provider_called() -> bool:
            return len(provider.requests) >= 1

        await wait_for(provider_called, 30, "the first worker to call the engine")
        [job] = await jobs(hub)
        assert job.status == "running" and job.attempts == 1
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    provider.routes["/v1/chat/completions"] = (200, VISION, 0.0)  # the provider recovers
    port = free_port()
    second = worker_process(
        database_url, tmp_path, provider, log, "--metrics-port", str(port), "--metrics-host", "127.0.0.1"
    )
    try:

        async def described() -> bool:
            return (await get_post(me, post["id"]))["media_status"] == "ready"

        await wait_for(described, 40, "the second worker to finish the job after the lease expired")
        async with httpx.AsyncClient() as client:
            scraped = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert 'media_jobs_total{kind="image",result="done"} 1.0' in scraped
        assert "media_processing_seconds_bucket" in scraped and "media_queue_depth" in scraped
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            assert second.wait(timeout=20) == 0, log.read_text()
        finally:
            if second.poll() is None:
                second.kill()
                second.wait()
    [job] = await jobs(hub)
    assert job.status == "done" and job.attempts == 2 and job.engine == "vision_openai"
    shown = await get_post(me, post["id"])
    assert shown["media_description"].endswith("A red square on white.")
    assert len(provider.requests) == 2  # one lost attempt, one that counted

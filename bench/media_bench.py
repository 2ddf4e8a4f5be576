"""Media benchmark: upload throughput and latency, and upload-to-description time.

Runs a real server (uvicorn on a loopback port, in this process) on a fresh SQLite database
with the local store and the embedded in-process worker, using the offline engines
(OCR + Whisper tiny.en), and drives it over HTTP:

1. Upload throughput: N image uploads (1280x720 PNG screenshot) and N audio uploads (15 s WAV
   voice note) with C concurrent clients, against a server whose worker is off (so the numbers
   are the upload path alone). Reports uploads/s and p50/p99 request latency.
2. End to end: with the worker on, upload one item at a time and poll GET /posts/{id} every
   10 ms until ``media_status`` is ``ready``; reports the time from sending the upload to the
   description being readable, for the screenshot and the voice note.

Usage: .venv/bin/python bench/media_bench.py [--uploads 40] [--concurrency 4] [--rounds 5]
       [--database-url postgresql://...]  (PostgreSQL: the worker runs as `agent-hub worker`)
Needs espeak-ng and sox (Debian) for the voice note.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent_hub.app import create_app  # noqa: E402
from agent_hub.config import Settings  # noqa: E402
from agent_hub.db.migrate import upgrade  # noqa: E402
from tests.media import samples  # noqa: E402

VOICE = (
    "Quick update on the login bug. The session token is never created when the form is submitted, "
    "so every request after that fails with an authorization error. I think the problem is in the "
    "middleware that reads the cookie."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def voice_note(path: Path, seconds: float = 15.0) -> bytes:
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), VOICE], check=True)
    subprocess.run(
        [
            "sox",
            str(raw),
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "pad",
            "0",
            str(seconds),
            "trim",
            "0",
            str(seconds),
        ],
        check=True,
    )
    return path.read_bytes()


def settings_for(args: argparse.Namespace, data_dir: Path, worker: bool) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "registration": "open",
        "rate_limits": "off",
        "log_level": "WARNING",
        "image_engines": ["ocr", "basic"],
        "audio_engines": ["whisper_bundled", "basic"],
        "media_worker_poll_seconds": 0.5,
    }
    if args.database_url:
        values["database_url"] = args.database_url
        values["media_worker_in_process"] = False
    else:
        values["media_worker_in_process"] = worker
    return Settings(**values)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def register(client: httpx.AsyncClient) -> dict[str, str]:
    resp = await client.post("/api/v1/agents/register", json={"name": f"bench_{os.urandom(3).hex()}"})
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['agent']['api_key']}"}


async def upload(client: httpx.AsyncClient, headers: dict[str, str], data: bytes, name: str) -> tuple[float, str]:
    started = time.perf_counter()
    resp = await client.post(
        "/api/v1/posts",
        headers=headers,
        data={"title": "bench", "submolt": "general"},
        files={"media": (name, data, "application/octet-stream")},
    )
    elapsed = time.perf_counter() - started
    if resp.status_code != 201:
        raise RuntimeError(f"upload failed: {resp.status_code} {resp.text}")
    return elapsed, resp.json()["post"]["id"]


async def throughput(url: str, data: bytes, name: str, n: int, concurrency: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        headers = [await register(client) for _ in range(concurrency)]
        await upload(client, headers[0], data, name)  # warm the path
        latencies: list[float] = []
        queue = list(range(n))

        async def lane(h: dict[str, str]) -> None:
            while queue:
                queue.pop()
                latencies.append((await upload(client, h, data, name))[0])

        started = time.perf_counter()
        await asyncio.gather(*(lane(h) for h in headers))
        wall = time.perf_counter() - started
    return {
        "n": n,
        "per_second": n / wall,
        "mb_per_second": n * len(data) / wall / 1e6,
        "p50_ms": pct(latencies, 0.5) * 1000,
        "p99_ms": pct(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
    }


async def end_to_end(url: str, data: bytes, name: str, rounds: int) -> dict[str, Any]:
    times: list[float] = []
    text = ""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        headers = await register(client)
        for _ in range(rounds):
            started = time.perf_counter()
            _, post_id = await upload(client, headers, data, name)
            while True:
                post = (await client.get(f"/api/v1/posts/{post_id}", headers=headers)).json()["post"]
                if post["media_status"] != "pending":
                    break
                await asyncio.sleep(0.01)
            times.append(time.perf_counter() - started)
            text = post["media_description"]
            if post["media_status"] != "ready":
                raise RuntimeError(f"processing failed: {text}")
    return {
        "rounds": rounds,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "min_s": min(times),
        "description": text[:160],
    }


async def clear_backlog(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("UPDATE media_jobs SET status = 'done' WHERE status <> 'done'")
    finally:
        await conn.close()


def start_worker(args: argparse.Namespace, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "AGENT_HUB_DATA_DIR": str(data_dir),
        "AGENT_HUB_IMAGE_ENGINES": "ocr,basic",
        "AGENT_HUB_AUDIO_ENGINES": "whisper_bundled,basic",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from agent_hub.cli import main; sys.exit(main())",
            "worker",
            "--concurrency",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # "media worker ... ready" once the models are loaded
    return proc


def engine_seconds() -> dict[str, float]:
    """Mean time inside the description engines per kind (media_processing_seconds)."""
    from agent_hub import metrics

    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for metric in metrics.MEDIA_PROCESSING.collect():
        for sample in metric.samples:
            kind = sample.labels.get("kind", "")
            if sample.name.endswith("_sum"):
                sums[kind] = sample.value
            elif sample.name.endswith("_count"):
                counts[kind] = sample.value
    return {k: round(sums[k] / counts[k], 3) for k in sums if counts.get(k)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    for binary in ("espeak-ng", "sox"):
        if shutil.which(binary) is None:
            print(f"{binary} is required", file=sys.stderr)
            return 1
    work = Path(tempfile.mkdtemp(prefix="media-bench-"))
    screenshot = samples.traceback_screenshot((1280, 720))
    voice = voice_note(work / "voice.wav")
    results: dict[str, Any] = {
        "screenshot_bytes": len(screenshot),
        "voice_bytes": len(voice),
        "engine": "postgresql" if args.database_url else "sqlite",
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
    }
    try:
        if args.database_url:
            upgrade(Settings(database_url=args.database_url, data_dir=work))
        settings = settings_for(args, work / "upload", worker=False)
        if settings.is_sqlite:
            upgrade(settings)
        with Server(settings) as server:
            results["upload_image"] = asyncio.run(
                throughput(server.url, screenshot, "s.png", args.uploads, args.concurrency)
            )
            results["upload_audio"] = asyncio.run(
                throughput(server.url, voice, "v.wav", args.uploads, args.concurrency)
            )
        if args.database_url:  # leave no backlog for the end-to-end phase
            asyncio.run(clear_backlog(args.database_url))
        settings = settings_for(args, work / "e2e", worker=True)
        if settings.is_sqlite:
            upgrade(settings)
        worker = start_worker(args, work / "e2e") if args.database_url else None
        try:
            with Server(settings) as server:
                time.sleep(3.0)  # let the in-process worker load its models (warm-up runs at start)
                results["e2e_screenshot"] = asyncio.run(end_to_end(server.url, screenshot, "s.png", args.rounds))
                results["e2e_voice_15s"] = asyncio.run(end_to_end(server.url, voice, "v.wav", args.rounds))
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["load_average_after"] = os.getloadavg()[0]
    if not args.database_url:  # the in-process worker observed its engine time in this process
        results["engine_seconds_mean"] = engine_seconds()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

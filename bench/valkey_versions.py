"""Client CPU of the read caches' version read (one MGET per API request): redis-py against the
versions' own connection (src/agent_hub/cache/valkey.py), on uvloop as the server runs.

    .venv/bin/python bench/valkey_versions.py [keys ...]     # default: 5 62 (a listing's MGET)

Eight coroutines issue the MGETs concurrently, as the requests of a worker do; each line gives
the process's CPU time and the wall time per MGET, alternating the two clients twice. Env:
BENCH_REDIS (default redis://127.0.0.1:6379/9), BENCH_CALLS (20000).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop
from redis.asyncio import Redis

from agent_hub.cache.valkey import Valkey

URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
CALLS = int(os.environ.get("BENCH_CALLS", "20000"))
CONCURRENCY = 8


async def measure(call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(CPU µs, wall µs) per call."""

    async def worker(n: int) -> None:
        for _ in range(n):
            await call()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(CALLS // CONCURRENCY) for _ in range(CONCURRENCY)))
    return (time.process_time() - cpu) / CALLS * 1e6, (time.perf_counter() - wall) / CALLS * 1e6


async def main(sizes: list[int]) -> None:
    redis = Redis.from_url(URL, health_check_interval=30)
    valkey = Valkey.for_client(redis)
    try:
        for size in sizes:
            keys = ["agent_hub:cache:epoch", "agent_hub:cache:gen"]
            keys += [f"agent_hub:tag:post:{i:032x}" for i in range(size - 2)]
            clients: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                ("redis-py", lambda keys=keys: redis.mget(*keys)),
                ("own connection", lambda keys=keys: valkey.call("MGET", *keys)),
            ]
            for name, call in clients * 2:
                await call()  # connected, scripts and buffers warm
                cpu, wall = await measure(call)
                print(f"MGET of {size:3d} keys  {name:15s} {cpu:7.1f} µs CPU  {wall:7.1f} µs wall per call", flush=True)
    finally:
        valkey.close()
        await redis.aclose()


if __name__ == "__main__":
    uvloop.run(main([int(a) for a in sys.argv[1:]] or [5, 62]))

"""Realtime benchmark (not part of the test suite).

200 agents hold WebSockets to two API instances that share one PostgreSQL and one Redis; a
burst of 1,000 comments (each on another agent's post, written through either instance) must
reach the post authors. Reports delivery latency commit->signal (p50/p99, from the
notification's server-side `created_at` to the client receiving it; same machine, same clock),
lost and duplicated signals (WebSocket ids vs the inbox counters), and inbox fetch throughput
(`GET /api/v1/inbox?limit=50`). `created_at` is stamped inside the writing transaction, before its
commit, so the latency is an upper bound of commit->signal. The writers run in a separate process.

Run (spawns two uvicorn servers on 127.0.0.1:18001/18002 against a fresh database):

    .venv/bin/python bench/realtime_bench.py \
        --database-url postgresql://postgres@127.0.0.1:5432/agent_hub_bench \
        --redis-url redis://127.0.0.1:6379/14 --agents 200 --comments 1000

or point it at running instances (registration open, rate limits off) with
`--api http://host1:8000 --api http://host2:8000`. Smaller smoke run: `--agents 20 --comments 100`.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def _ensure_database(url: str) -> None:
    import asyncpg

    admin, name = url.rsplit("/", 1)
    conn = await asyncpg.connect(admin + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _spawn(args: argparse.Namespace) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "AGENT_HUB_REGISTRATION": "open",
        "AGENT_HUB_RATE_LIMITS": "off",
        "AGENT_HUB_LOG_LEVEL": "WARNING",
        "AGENT_HUB_WS_MAX_CONNECTIONS_PER_AGENT": "5",
        "AGENT_HUB_MEDIA_WORKER_IN_PROCESS": "false",
    }
    subprocess.run([sys.executable, "-m", "agent_hub.cli", "migrate"], env=env, check=True)
    procs = []
    for port in (18001, 18002):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "agent_hub.asgi:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--ws",
                    "websockets-sansio",
                ],
                env=env,
            )
        )
    return procs


async def _wait_up(urls: list[str]) -> None:
    async with httpx.AsyncClient() as client:
        for url in urls:
            for _ in range(200):
                try:
                    if (await client.get(url + "/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"{url} did not come up")


def _burst(apis: list[str], plan: list[tuple[dict[str, str], str]], comments: int, concurrency: int) -> float:
    """The burst of comments, each on another agent's post, through either instance:
    `concurrency` writers, each with one keep-alive connection (`rawhttp`: a cheap client, so
    the load generator does not take the CPU the servers are measured on)."""
    from rawhttp import ConnectionLost, RawConnection

    async def main() -> float:
        rng = random.Random(7)
        jobs = []
        for n in range(comments):
            (headers, _), (_, post) = rng.sample(plan, 2)
            body = orjson.dumps({"content": f"bench {n}"})
            jobs.append((f"/api/v1/posts/{post}/comments", body, {**headers, "Content-Type": "application/json"}))
        jobs.reverse()  # popped from the end: in order

        async def writer(k: int) -> None:
            conn = RawConnection(apis[k % len(apis)])
            try:
                while jobs:
                    path, body, headers = jobs.pop()
                    # A keep-alive connection the server closed just as it was reused fails before
                    # the request was read; retried. A comment that was in fact written twice
                    # would show up as a duplicated signal in the result.
                    for attempt in range(3):
                        try:
                            status, payload = await conn.request("POST", path, body, headers)
                            break
                        except ConnectionLost:
                            if attempt == 2:
                                raise
                    if status != 201:
                        raise RuntimeError(f"comment failed: {status} {payload[:200]!r}")
            finally:
                await conn.close()

        started = time.perf_counter()
        await asyncio.gather(*(writer(k) for k in range(concurrency)))
        return time.perf_counter() - started

    return asyncio.run(main())


async def run(args: argparse.Namespace) -> dict[str, Any]:
    apis = args.api
    clients = [httpx.AsyncClient(base_url=u, timeout=30, limits=httpx.Limits(max_connections=100)) for u in apis]
    run_id = uuid.uuid4().hex[:6]
    agents: list[dict[str, Any]] = []
    for i in range(args.agents):
        client = clients[i % len(clients)]
        r = await client.post("/api/v1/agents/register", json={"name": f"b{run_id}_{i}"})
        r.raise_for_status()
        key = r.json()["agent"]["api_key"]
        headers = {"Authorization": f"Bearer {key}"}
        p = await client.post(
            "/api/v1/posts", headers=headers, json={"submolt": "general", "title": f"bench {i}", "content": "x"}
        )
        p.raise_for_status()
        agents.append(
            {
                "i": i,
                "key": key,
                "headers": headers,
                "post": p.json()["post"]["id"],
                "received": [],
                "ws_api": apis[(i + 1) % len(apis)],
            }
        )

    async def listen(agent: dict[str, Any], ready: asyncio.Event, stop: asyncio.Event) -> None:
        url = agent["ws_api"].replace("http", "ws", 1) + "/api/v1/ws"
        async with connect(url, additional_headers={"Authorization": f"Bearer {agent['key']}"}, max_queue=None) as ws:
            ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.time()
                message = orjson.loads(raw)
                if message.get("type") == "ping":
                    await ws.send('{"type":"pong"}')
                elif message.get("type") == "inbox_update" and message.get("latest"):
                    agent["received"].append((message["latest"]["id"], message["latest"]["created_at"], now))

    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in agents]
    listeners = [asyncio.create_task(listen(a, e, stop)) for a, e in zip(agents, readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in readies)), 60)
    await asyncio.sleep(1.0)

    # The writers run in another process: their HTTP client work must not delay this process's
    # reading of the sockets (that would be counted as delivery latency).
    plan = [(a["headers"], a["post"]) for a in agents]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        write_seconds = await asyncio.to_thread(pool.apply, _burst, (apis, plan, args.comments, args.concurrency))
    await asyncio.sleep(args.settle)
    stop.set()
    await asyncio.gather(*listeners, return_exceptions=True)

    latencies, duplicates, received, expected = [], 0, 0, 0
    for agent in agents:
        ids = [r[0] for r in agent["received"]]
        duplicates += len(ids) - len(set(ids))
        received += len(set(ids))
        for _, created, at in agent["received"]:
            latencies.append((at - datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()) * 1000)
        c = await clients[0].get("/api/v1/inbox/count", headers=agent["headers"])
        expected += c.json()["total"]

    # Inbox fetch throughput.
    fetches = 0
    deadline = time.perf_counter() + args.fetch_seconds

    async def fetcher(k: int) -> None:
        nonlocal fetches
        while time.perf_counter() < deadline:
            agent = agents[(k * 7 + fetches) % len(agents)]
            r = await clients[k % len(clients)].get("/api/v1/inbox", params={"limit": 50}, headers=agent["headers"])
            r.raise_for_status()
            fetches += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(fetcher(k) for k in range(args.concurrency)))
    fetch_rps = fetches / (time.perf_counter() - t0)
    for client in clients:
        await client.aclose()
    return {
        "agents": len(agents),
        "comments": args.comments,
        "write_seconds": round(write_seconds, 2),
        "notifications_expected": expected,
        "signals_received": received,
        "lost": expected - received,
        "duplicated": duplicates,
        "latency_ms_p50": round(_pct(latencies, 50), 1),
        "latency_ms_p99": round(_pct(latencies, 99), 1),
        "latency_ms_mean": round(statistics.fmean(latencies), 1) if latencies else None,
        "inbox_fetch_rps": round(fetch_rps, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", action="append", help="base URL of a running instance (repeat)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/agent_hub_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait for stragglers")
    parser.add_argument("--fetch-seconds", type=float, default=10.0)
    args = parser.parse_args()
    procs: list[subprocess.Popen[bytes]] = []
    if not args.api:
        asyncio.run(_ensure_database(args.database_url))
        procs = _spawn(args)
        args.api = ["http://127.0.0.1:18001", "http://127.0.0.1:18002"]
    try:
        asyncio.run(_wait_up(args.api))
        print(orjson.dumps(asyncio.run(run(args)), option=orjson.OPT_INDENT_2).decode())
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()

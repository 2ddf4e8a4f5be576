"""MCP benchmark (not part of the test suite): what a tool call costs over the REST call it
makes, and how many bytes each tool returns for a typical call.

Starts one `agent-hub serve` on 127.0.0.1:$BENCH_PORT (default 18020) on a fresh SQLite data
dir (or `--database-url`), seeds two agents, a post with 30 comments (10 of them with
replies), then, one client at a time:

- latency of `read_post` over MCP (one tool call = two REST reads in process) against the same
  two REST reads over HTTP, and of `comment` against `POST /posts/{id}/comments`;
- every tool's result size: the text block the model reads, and the whole JSON-RPC result.

Run:

    .venv/bin/python bench/mcp_bench.py --iterations 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

PORT = int(os.environ.get("BENCH_PORT", "18020"))
BASE = f"http://127.0.0.1:{PORT}"


def start_server(database_url: str | None) -> subprocess.Popen[bytes]:
    data = tempfile.mkdtemp(prefix="mcp_bench_")
    env = {
        **os.environ,
        "AGENT_HUB_DATA_DIR": data,
        "AGENT_HUB_REGISTRATION": "open",
        "AGENT_HUB_RATE_LIMITS": "off",
        "AGENT_HUB_LOG_LEVEL": "WARNING",
        "AGENT_HUB_IMAGE_ENGINES": "basic",
        "AGENT_HUB_AUDIO_ENGINES": "basic",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    subprocess.run([sys.executable, "-m", "agent_hub.cli", "migrate"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_hub.cli", "serve", "--host", "127.0.0.1", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(data) / "server.log", "wb"),  # noqa: SIM115 - the child owns it
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(BASE + "/health", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


async def seed(http: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], str, str, str, str]:
    keys = []
    for name in ("bench_alice", "bench_bob", "bench_carol", "bench_dave"):
        r = await http.post("/api/v1/agents/register", json={"name": name, "description": "A benchmark agent"})
        keys.append({"Authorization": "Bearer " + r.json()["agent"]["api_key"]})
    alice, bob, carol, _dave = keys
    text = "Tides follow the moon. " * 60
    post = (
        await http.post("/api/v1/posts", headers=alice, json={"submolt": "general", "title": "Tides", "content": text})
    ).json()
    post_id = post["post"]["id"]
    first = ""
    for n in range(30):
        c = await http.post(
            f"/api/v1/posts/{post_id}/comments", headers=bob, json={"content": f"Comment {n}: " + "ebb and flow " * 20}
        )
        cid = c.json()["comment"]["id"]
        first = first or cid
        if n < 10:
            await http.post(
                f"/api/v1/posts/{post_id}/comments", headers=alice, json={"content": "Agreed. " * 10, "parent_id": cid}
            )
    bobs_post = ""
    for n in range(9):
        r = await http.post(
            "/api/v1/posts",
            headers=bob,
            json={"submolt": "general", "title": f"Bob's post {n}", "content": "Notes on the sea. " * 30},
        )
        bobs_post = r.json()["post"]["id"]
    r = await http.post(
        "/api/v1/agents/dm/request", headers=bob, json={"to": "bench_alice", "message": "Shall we compare tide tables?"}
    )
    conv = r.json()["conversation_id"]
    await http.post(f"/api/v1/agents/dm/requests/{conv}/approve", headers=alice)
    for n in range(5):
        await http.post(
            f"/api/v1/agents/dm/conversations/{conv}/send",
            headers=bob,
            json={"message": f"Message {n} about the tides."},
        )
    r = await http.post(
        "/api/v1/agents/dm/request",
        headers=carol,
        json={"to": "bench_alice", "message": "Hello from Carol, may I ask?"},
    )
    pending = r.json()["conversation_id"]
    return alice, bob, post_id, conv, bobs_post, pending


def ms(samples: list[float]) -> str:
    samples = sorted(samples)
    return f"p50 {statistics.median(samples) * 1000:.2f} ms, p90 {samples[int(len(samples) * 0.9)] * 1000:.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    proc = start_server(args.database_url)
    try:
        async with httpx.AsyncClient(base_url=BASE, timeout=30) as http:
            alice, bob, post_id, conv, bobs_post, pending = await seed(http)
            async with httpx2.AsyncClient(headers=alice, timeout=30) as h2:
                async with Client(
                    streamable_http_client(BASE + "/mcp", http_client=h2), mode="2026-07-28", cache=None
                ) as mcp:
                    rest_read, mcp_read, rest_write, mcp_write = [], [], [], []
                    for n in range(args.iterations):
                        t = time.perf_counter()
                        await http.get(f"/api/v1/posts/{post_id}", headers=alice)
                        await http.get(f"/api/v1/posts/{post_id}/comments", headers=alice, params={"limit": 10})
                        rest_read.append(time.perf_counter() - t)
                        t = time.perf_counter()
                        await mcp.call_tool("read_post", {"post_id": post_id})
                        mcp_read.append(time.perf_counter() - t)
                        if n < args.iterations // 4:
                            t = time.perf_counter()
                            await http.post(
                                f"/api/v1/posts/{post_id}/comments", headers=alice, json={"content": f"rest {n}"}
                            )
                            rest_write.append(time.perf_counter() - t)
                            t = time.perf_counter()
                            await mcp.call_tool("comment", {"post_id": post_id, "content": f"mcp {n}"})
                            mcp_write.append(time.perf_counter() - t)
                    print(f"read a post + 10 comments: REST (2 GETs) {ms(rest_read)}; MCP read_post {ms(mcp_read)}")
                    print(f"comment: REST POST {ms(rest_write)}; MCP comment {ms(mcp_write)}")
                    calls: list[tuple[str, dict[str, Any]]] = [
                        ("check_inbox", {}),
                        ("mark_read", {"all": True}),
                        ("read_feed", {}),
                        ("read_post", {"post_id": post_id}),
                        ("search", {"q": "tides"}),
                        ("create_post", {"title": "Bench post", "content": "Low water at noon. " * 20}),
                        ("comment", {"post_id": post_id, "content": "One more thought."}),
                        ("vote", {"id": bobs_post}),
                        ("follow", {"name": "bench_bob"}),
                        ("get_profile", {"name": "bench_bob"}),
                        ("list_dms", {}),
                        ("request_dm", {"to": "bench_dave", "message": "Shall we talk about tides?"}),
                        ("answer_dm_request", {"conversation_id": pending, "approve": True}),
                        ("read_dm", {"conversation_id": conv}),
                        ("send_dm", {"conversation_id": conv, "message": "High tide at six."}),
                    ]
                    print("| tool | typical call | text bytes | result bytes |")
                    print("|---|---|---|---|")
                    for name, arguments in calls:
                        result = await mcp.call_tool(name, arguments)
                        text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
                        whole = result.model_dump_json(by_alias=True, exclude_none=True)
                        flag = " (error)" if result.is_error else ""
                        shown = ", ".join(f"{k}={v!r}"[:40] for k, v in arguments.items())
                        print(f"| {name}{flag} | {shown} | {len(text.encode())} | {len(whole.encode())} |")
                    rest_post = await http.get(f"/api/v1/posts/{post_id}", headers=alice)
                    rest_comments = await http.get(
                        f"/api/v1/posts/{post_id}/comments", headers=alice, params={"limit": 10}
                    )
                    print(
                        f"REST for comparison: GET post {len(rest_post.content)} bytes,"
                        f" 10 comments {len(rest_comments.content)} bytes"
                    )
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main())

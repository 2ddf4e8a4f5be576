"""The issue's finish line, end to end: an agent on a WebSocket, one with a webhook and one
polling all learn of a reply to them within a second — with two API replicas sharing Valkey,
the reply written through the other replica than the one the socket and the poller use."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson

from agent_hub.webhooks.signing import verify
from tests.realtime.live import LiveAgent, live_servers, recv_type, register, ws_connect
from tests.webhooks.receiver import Receiver

WEBHOOKS_TO_LOOPBACK = {
    "allow_http_webhooks": True,
    "webhook_allowed_cidrs": ["127.0.0.1/32"],
    "webhook_allowed_ports": [],
}


async def _post(agent: LiveAgent) -> str:
    r = await agent.post("/api/v1/posts", json={"submolt": "general", "title": f"{agent.name}'s post"})
    assert r.status_code == 201, r.text
    return r.json()["post"]["id"]


async def test_socket_webhook_and_poller_each_learn_within_a_second(
    database_url: str, tmp_path: Path, redis_url: str
) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url, **WEBHOOKS_TO_LOOPBACK) as (one, two):
        socket_agent, hook_agent, poller = [await register(one.base, n) for n in ("sockie", "hooky", "polly")]
        replier = await register(two.base, "replier")
        posts = {a.name: await _post(a) for a in (socket_agent, hook_agent, poller)}
        with Receiver() as receiver:
            r = await hook_agent.client.put(
                "/api/v1/agents/me/webhook", headers=hook_agent.headers, json={"url": receiver.url()}
            )
            assert r.status_code == 200, r.text
            secret = r.json()["webhook"]["secret"]
            # The poller's first read is cached afterwards: the reply must invalidate it anywhere.
            assert (await poller.get("/api/v1/inbox/count")).json()["unread"] == 0
            async with await ws_connect(one.ws_url, socket_agent.key) as ws:
                await recv_type(ws, "hello")
                learned: dict[str, float] = {}

                async def by_socket() -> None:
                    update = await recv_type(ws, "inbox_update", within=3)
                    learned["socket"] = time.monotonic()
                    assert update["latest"]["type"] == "comment" and update["latest"]["from"]["name"] == "replier"

                async def by_webhook() -> None:
                    deadline = time.monotonic() + 3
                    while not receiver.requests and time.monotonic() < deadline:  # noqa: ASYNC110
                        await asyncio.sleep(0.01)
                    learned["webhook"] = time.monotonic()
                    request = receiver.requests[0]
                    assert verify(secret, request["body"], request["headers"]["x-agenthub-signature"])
                    note = orjson.loads(request["body"])["notification"]
                    assert note["type"] == "comment" and note["post_id"] == posts["hooky"]

                async def by_polling() -> None:
                    deadline = time.monotonic() + 3
                    while time.monotonic() < deadline:
                        if (await poller.get("/api/v1/inbox/count")).json()["unread"] == 1:
                            learned["polling"] = time.monotonic()
                            return
                        await asyncio.sleep(0.1)

                watchers = [asyncio.create_task(w()) for w in (by_socket, by_webhook, by_polling)]
                started = time.monotonic()
                replies = await asyncio.gather(
                    *(
                        replier.post(f"/api/v1/posts/{posts[name]}/comments", json={"content": f"hi {name}"})
                        for name in ("sockie", "hooky", "polly")
                    )
                )
                assert [r.status_code for r in replies] == [201, 201, 201]
                await asyncio.gather(*watchers)
        delays = {how: at - started for how, at in learned.items()}
        assert set(delays) == {"socket", "webhook", "polling"}, delays
        assert all(d < 1.0 for d in delays.values()), delays

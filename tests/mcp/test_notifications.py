"""Inbox notifications over MCP with two replicas sharing Valkey: the client holds its stream on
one replica, the reply is written through the other, and the client hears of it within a
second — on the handshake-era GET stream and on a 2026-07-28 listen stream. A session also
works when each of its requests lands on another replica."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.client.subscriptions import ResourceUpdated
from mcp_types import ResourceUpdatedNotification, ServerNotification

from tests.mcp.support import LEGACY, MODERN, data, mcp_client
from tests.realtime.live import LiveAgent, LiveServer, live_servers, register

INBOX = "agenthub://me/inbox"
# The handshake era's resources/subscribe is deprecated by the 2026-07-28 SDK; it is what
# these clients use, so it is tested on purpose.
HANDSHAKE_ERA = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")


async def _stream_opened(server: LiveServer, agent_id: str) -> None:
    """The client opens its GET stream by itself after initialization: wait until it is held."""
    deadline = time.monotonic() + 5
    while not any(f.agent_id == agent_id for f in server.app.state.mcp.streams.open):
        assert time.monotonic() < deadline, "the client never opened its event stream"
        await asyncio.sleep(0.02)


async def _post(agent: LiveAgent) -> str:
    r = await agent.post("/api/v1/posts", json={"submolt": "general", "title": f"{agent.name}'s post"})
    assert r.status_code == 201, r.text
    return str(r.json()["post"]["id"])


@HANDSHAKE_ERA
async def test_handshake_era_stream_hears_a_reply_made_on_the_other_replica(
    database_url: str, tmp_path: Path, redis_url: str
) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url) as (one, two):
        author = await register(one.base, "author")
        replier = await register(two.base, "replier")
        post_id = await _post(author)
        updates: asyncio.Queue[tuple[str, float]] = asyncio.Queue()

        async def on_message(message: Any) -> None:
            if isinstance(message, ServerNotification) and isinstance(message, ResourceUpdatedNotification):
                updates.put_nowait((str(message.params.uri), time.monotonic()))

        async with mcp_client(one.base + "/mcp", author.key, mode=LEGACY, message_handler=on_message) as client:
            await client.subscribe_resource(INBOX)
            await _stream_opened(one, author.id)
            sent = time.monotonic()
            r = await replier.post(f"/api/v1/posts/{post_id}/comments", json={"content": "a reply"})
            assert r.status_code == 201, r.text
            uri, heard = await asyncio.wait_for(updates.get(), 3)
            assert uri == INBOX and heard - sent < 1.0, heard - sent
            inbox = data(await client.call_tool("check_inbox", {}))
            assert inbox["items"][0]["type"] == "comment" and inbox["items"][0]["from"] == "replier"
            await client.unsubscribe_resource(INBOX)
            await replier.post(f"/api/v1/posts/{post_id}/comments", json={"content": "another"})
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(updates.get(), 1)


async def test_listen_stream_hears_a_reply_made_on_the_other_replica(
    database_url: str, tmp_path: Path, redis_url: str
) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url) as (one, two):
        author = await register(one.base, "author")
        bystander = await register(one.base, "bystander")
        replier = await register(two.base, "replier")
        post_id = await _post(author)
        async with mcp_client(one.base + "/mcp", author.key, mode=MODERN) as client:
            async with client.listen(resource_subscriptions=[INBOX]) as subscription:
                events = aiter(subscription)
                others = await _post(bystander)  # someone else's inbox changing is not heard
                await replier.post(f"/api/v1/posts/{others}/comments", json={"content": "not for author"})
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(anext(events), 0.5)
                sent = time.monotonic()
                r = await replier.post(f"/api/v1/posts/{post_id}/comments", json={"content": "a reply"})
                assert r.status_code == 201, r.text
                event = await asyncio.wait_for(anext(events), 3)
                assert event == ResourceUpdated(uri=INBOX)
                assert time.monotonic() - sent < 1.0
            summary = await client.read_resource(INBOX)
            assert '"unread_count":1' in summary.contents[0].text  # type: ignore[union-attr]


class RoundRobin(httpx2.AsyncBaseTransport):
    """Sends each request to the next replica in turn, as a load balancer without affinity."""

    def __init__(self, ports: list[int]) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.ports = itertools.cycle(ports)
        self.used: list[int] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = next(self.ports)
        self.used.append(port)
        request.url = request.url.copy_with(port=port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@HANDSHAKE_ERA
@pytest.mark.parametrize("mode", [LEGACY, MODERN])
async def test_a_session_needs_no_affinity(database_url: str, tmp_path: Path, redis_url: str, mode: str) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url) as (one, two):
        agent = await register(one.base)
        transport = RoundRobin([one.port, two.port])
        async with mcp_client(one.base + "/mcp", agent.key, mode=mode, transport=transport) as client:
            for n in range(3):
                made = data(await client.call_tool("create_post", {"title": f"post {n}", "content": "x"}))
                assert data(await client.call_tool("read_post", {"post_id": made["id"], "limit": 0}))["post"]
            if mode == LEGACY:
                await client.subscribe_resource(INBOX)
        assert {one.port, two.port} <= set(transport.used)


async def test_limits_are_the_rest_limits(database_url: str, tmp_path: Path) -> None:
    """The moltbook profile: the post cooldown refuses a second post with the REST 429 details;
    protocol requests (tools/list) count as reads, 60 a minute."""
    async with live_servers(database_url, tmp_path, rate_limits="moltbook") as (server,):
        agent = await register(server.base)
        async with mcp_client(server.base + "/mcp", agent.key, mode=MODERN) as client:
            assert data(await client.call_tool("create_post", {"title": "first", "content": "x"}))
            second = await client.call_tool("create_post", {"title": "second", "content": "y"})
            assert second.is_error
            refusal = second.content[0].text  # type: ignore[union-attr]
            assert '"code":"RATE_LIMITED"' in refusal and '"status":429' in refusal and "retry_after_seconds" in refusal
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        headers = {
            **agent.headers,
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-11-25",
        }
        statuses = []
        async with httpx2.AsyncClient(base_url=server.base) as http:
            for _ in range(62):
                statuses.append((await http.post("/mcp", json=body, headers=headers)).status_code)
            refused = await http.post("/mcp", json=body, headers=headers)
        assert statuses.count(200) >= 55 and statuses[-1] == 429, statuses
        assert refused.json()["code"] == "RATE_LIMITED" and int(refused.headers["retry-after"]) > 0

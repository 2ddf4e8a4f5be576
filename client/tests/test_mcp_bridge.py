"""`agent-hub-agent mcp`: the official MCP SDK's client launches the bridge as a stdio server
whose first URL is dead; it reads, posts, replies, votes and DMs through the second, and hears
of a reply to it through the bridge's event stream within a second."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import unique
from hubserver import HubServer, free_port

mcp = pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters  # noqa: E402
from mcp_types import ResourceUpdatedNotification  # noqa: E402

INBOX = "agenthub://me/inbox"


def _register(server: HubServer, name: str) -> str:
    r = httpx.post(server.url + "/api/v1/agents/register", json={"name": name}, timeout=10)
    assert r.status_code == 201, r.text
    return str(r.json()["agent"]["api_key"])


def _data(result: Any) -> Any:
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


@pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")  # resources/subscribe
async def test_stdio_bridge_with_a_dead_first_url(hub_server: HubServer, tmp_path: Path) -> None:
    key = _register(hub_server, unique("bridged"))
    other = _register(hub_server, unique("other"))
    key_file = tmp_path / "key"
    key_file.write_text(key + "\n")
    dead = f"http://127.0.0.1:{free_port()}"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agent_hub_client._cli", "mcp", "--url", dead, "--url", hub_server.url]
        + ["--key-file", str(key_file)],
    )
    updates: asyncio.Queue[float] = asyncio.Queue()

    async def on_message(message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification) and str(message.params.uri) == INBOX:
            updates.put_nowait(time.monotonic())

    async with Client(params, mode="legacy", cache=None, message_handler=on_message) as client:
        assert "create_post" in {t.name for t in (await client.list_tools()).tools}
        post = _data(await client.call_tool("create_post", {"title": "Through the bridge", "content": "hello"}))
        assert _data(await client.call_tool("read_feed", {"sort": "new", "limit": 1}))["posts"][0]["id"] == post["id"]
        await client.subscribe_resource(INBOX)
        async with httpx.AsyncClient(timeout=10, headers={"Authorization": f"Bearer {other}"}) as http:
            # The bridge opens the session's event stream by itself: a first change proves it is held.
            me = json.loads((await client.read_resource("agenthub://me/profile")).contents[0].text)  # type: ignore[union-attr]
            assert (await http.post(f"{hub_server.url}/api/v1/agents/{me['name']}/follow")).status_code == 200
            await asyncio.wait_for(updates.get(), 10)
            sent = time.monotonic()
            r = await http.post(
                f"{hub_server.url}/api/v1/posts/{post['id']}/comments", json={"content": "a reply for you"}
            )
            assert r.status_code == 201, r.text
            heard = await asyncio.wait_for(updates.get(), 5)
        assert heard - sent < 1.0, heard - sent
        inbox = _data(await client.call_tool("check_inbox", {}))
        item = inbox["items"][0]
        answer = {"post_id": post["id"], "content": "thanks", "parent_id": item["comment_id"]}
        assert _data(await client.call_tool("comment", answer))["parent_id"] == item["comment_id"]
        voted = _data(await client.call_tool("vote", {"id": item["comment_id"], "target": "comment"}))
        assert voted["action"] == "upvoted"
        other_name = item["from"]
        asked = _data(await client.call_tool("request_dm", {"to": other_name, "message": "Thanks for the reply!"}))
        assert asked["status"] == "pending"
        refused = await client.call_tool("read_post", {"post_id": "missing"})
        assert refused.is_error and '"status":404' in refused.content[0].text  # type: ignore[union-attr]


async def test_stdio_bridge_reports_a_bad_key(hub_server: HubServer, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("moltbook_sk_wrong")
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agent_hub_client._cli", "mcp", "--url", hub_server.url, "--key-file", str(key_file)],
    )
    with pytest.raises(Exception) as err:  # noqa: B017 - the SDK raises its own error type
        async with Client(params, mode="legacy", cache=None) as client:
            await client.list_tools()
    assert "Invalid or expired token" in repr(err.value) or "Invalid or expired token" in str(err.value)

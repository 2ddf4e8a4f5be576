"""The MCP endpoint with the official SDK's client against a running server: every tool end to
end, resources and the prompt, on both protocol eras and both engines."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from PIL import Image

from agent_hub import metrics
from tests.mcp.support import LEGACY, MODERN, data, error, mcp_client
from tests.media import samples
from tests.realtime.live import live_servers, register

TOOLS = {
    "check_inbox",
    "mark_read",
    "read_feed",
    "read_post",
    "search",
    "create_post",
    "comment",
    "vote",
    "follow",
    "list_dms",
    "request_dm",
    "answer_dm_request",
    "read_dm",
    "send_dm",
    "get_profile",
}


@pytest.mark.parametrize("mode", [LEGACY, MODERN])
async def test_tools_listed_with_typed_input_schemas(database_url: str, tmp_path: Path, mode: str) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        agent = await register(server.base)
        async with mcp_client(server.base + "/mcp", agent.key, mode=mode) as client:
            assert client.protocol_version == ("2025-11-25" if mode == LEGACY else MODERN)
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == TOOLS
            for tool in tools.values():
                assert tool.description and tool.input_schema["type"] == "object"
                assert "ctx" not in tool.input_schema.get("properties", {})
            post_schema = tools["create_post"].input_schema
            assert post_schema["required"] == ["title"]
            assert post_schema["properties"]["title"]["maxLength"] == 300
            assert tools["read_feed"].annotations.read_only_hint is True
            resources = {r.uri for r in (await client.list_resources()).resources}
            assert resources == {"agenthub://me/profile", "agenthub://me/inbox", "agenthub://submolts"}
            prompt = await client.get_prompt("catch_up")
            assert "check_inbox" in prompt.messages[0].content.text  # type: ignore[union-attr]


async def test_every_tool_end_to_end(database_url: str, tmp_path: Path) -> None:
    """Alice posts (text, link, image), Bob reads, comments, votes, follows and searches, Alice
    sees the reply in her inbox and answers it, they talk by DM under the consent rules."""
    async with live_servers(database_url, tmp_path) as (server,):
        url = server.base + "/mcp"
        alice_rest, bob_rest = await register(server.base, "alice"), await register(server.base, "bob")
        async with mcp_client(url, alice_rest.key) as alice, mcp_client(url, bob_rest.key, mode=MODERN) as bob:
            text = data(await alice.call_tool("create_post", {"title": "Tide tables", "content": "Low tide " * 400}))
            assert text["author"] == "alice" and text["submolt"] == "general" and len(text["excerpt"]) <= 120
            link = data(await alice.call_tool("create_post", {"title": "A link", "url": "https://example.org/a"}))
            assert link["url"] == "https://example.org/a"
            image = samples.encode(Image.new("RGB", (32, 32), (9, 99, 199)), "PNG")
            pic = data(
                await alice.call_tool(
                    "create_post",
                    {"title": "A picture", "media_base64": base64.b64encode(image).decode(), "media_filename": "p.png"},
                )
            )
            assert pic["media"]["type"] == "image" and pic["media"]["url"]

            feed = data(await bob.call_tool("read_feed", {"sort": "new", "limit": 2}))
            assert [p["title"] for p in feed["posts"]] == ["A picture", "A link"] and feed["next_cursor"]
            more = data(await bob.call_tool("read_feed", {"sort": "new", "limit": 2, "cursor": feed["next_cursor"]}))
            assert [p["title"] for p in more["posts"]] == ["Tide tables"]
            assert "next_cursor" not in more

            reply = data(await bob.call_tool("comment", {"post_id": text["id"], "content": "Nice @alice"}))
            answer = data(
                await alice.call_tool(
                    "comment", {"post_id": text["id"], "content": "Thanks!", "parent_id": reply["id"]}
                )
            )
            assert answer["parent_id"] == reply["id"] and answer["depth"] == 1
            thread = data(await bob.call_tool("read_post", {"post_id": text["id"], "depth": 0, "max_chars": 200}))
            assert (
                thread["post"]["content_truncated"] == len("Low tide " * 400) and len(thread["post"]["content"]) == 200
            )
            assert thread["comments"][0]["content"] == "Nice @alice" and thread["comments"][0]["more_replies"] == 1
            deep = data(await bob.call_tool("read_post", {"post_id": text["id"]}))
            assert deep["comments"][0]["replies"][0]["content"] == "Thanks!"

            assert data(await bob.call_tool("vote", {"id": text["id"]})) == {"action": "upvoted", "score": 1}
            voted = data(await alice.call_tool("vote", {"id": reply["id"], "target": "comment", "direction": "down"}))
            assert voted["action"] == "downvoted"
            assert data(await bob.call_tool("vote", {"id": text["id"], "direction": "none"}))["score"] == 0
            assert data(await bob.call_tool("follow", {"name": "alice"})) == {"action": "followed"}
            following = data(await bob.call_tool("read_feed", {"scope": "following", "limit": 5}))
            assert {p["author"] for p in following["posts"]} == {"alice"}
            profile = data(await bob.call_tool("get_profile", {"name": "alice"}))
            assert profile["you_follow"] is True and profile["posts"] == 3 and profile["recent_posts"]
            mine = data(await alice.call_tool("get_profile", {}))
            assert mine["name"] == "alice" and mine["followers"] == 1
            found = data(await bob.call_tool("search", {"q": "tide"}))
            assert any(r["id"] == text["id"] for r in found["results"])

            inbox = data(await alice.call_tool("check_inbox", {}))
            kinds = {item["type"] for item in inbox["items"]}
            assert {"comment", "new_follower"} <= kinds or {"comment", "follow"} <= kinds, inbox
            assert inbox["unread_count"] == len(inbox["items"])
            first = inbox["items"][-1]["id"]
            assert (
                data(await alice.call_tool("mark_read", {"ids": [first]}))["unread_count"] == inbox["unread_count"] - 1
            )
            assert data(await alice.call_tool("mark_read", {"all": True})) == {"unread_count": 0}
            assert data(await bob.call_tool("check_inbox", {}))["items"][0]["type"] == "reply"

            asked = data(await alice.call_tool("request_dm", {"to": "bob", "message": "Shall we compare tide notes?"}))
            assert asked["status"] == "pending"
            listed = data(await bob.call_tool("list_dms", {}))
            assert listed["requests"][0]["from"] == "alice"
            conversation = listed["requests"][0]["conversation_id"]
            refused = error(await alice.call_tool("send_dm", {"conversation_id": conversation, "message": "hello?"}))
            assert refused["status"] in (403, 409) and refused["error"]
            approved = await bob.call_tool("answer_dm_request", {"conversation_id": conversation, "approve": True})
            assert data(approved)["status"] == "approved"
            assert data(
                await alice.call_tool("send_dm", {"conversation_id": conversation, "message": "High tide at 6"})
            )
            read = data(await bob.call_tool("read_dm", {"conversation_id": conversation}))
            assert read["with"] == "alice" and read["messages"][-1]["content"] == "High tide at 6"
            assert data(await bob.call_tool("list_dms", {}))["conversations"][0]["with"] == "alice"

            inbox_resource = await alice.read_resource("agenthub://me/inbox")
            assert '"unread_count"' in inbox_resource.contents[0].text  # type: ignore[union-attr]
            submolts = await bob.read_resource("agenthub://submolts")
            assert '"general"' in submolts.contents[0].text  # type: ignore[union-attr]


async def test_bad_input_is_a_clear_error_and_changes_nothing(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        agent = await register(server.base)
        async with mcp_client(server.base + "/mcp", agent.key) as client:
            too_long = await client.call_tool("create_post", {"title": "x" * 301})
            assert too_long.is_error
            missing = error(await client.call_tool("read_post", {"post_id": "no-such-post"}))
            assert missing["status"] == 404 and missing["code"] == "NOT_FOUND" and missing["error"]
            nowhere = error(await client.call_tool("create_post", {"title": "t", "submolt": "no_such_place"}))
            assert nowhere["status"] == 404 and nowhere["hint"]
            blank = error(await client.call_tool("comment", {"post_id": "no-such-post", "content": "   "}))
            assert blank["status"] in (400, 404) and blank["error"]
            bad_media = error(await client.call_tool("create_post", {"title": "t", "media_base64": "not base64!"}))
            assert bad_media["code"] == "BAD_REQUEST"
            not_media = base64.b64encode(b"#!/bin/sh\necho hi\n" * 10).decode()
            wrong_kind = error(await client.call_tool("create_post", {"title": "t", "media_base64": not_media}))
            assert wrong_kind["status"] in (400, 415)
            assert data(await client.call_tool("read_feed", {})) == {"posts": []}
        r = await agent.get("/api/v1/posts", params={"author": agent.name})
        assert r.json()["posts"] == []


async def test_bad_or_missing_key_is_refused(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": MODERN}
        async with httpx.AsyncClient(base_url=server.base) as http:
            for auth in ({}, {"Authorization": "Bearer moltbook_sk_nope"}, {"Authorization": "Basic abc"}):
                r = await http.post("/mcp", json=body, headers={**headers, **auth})
                assert r.status_code == 401, r.text
                assert r.json()["success"] is False and r.json()["code"] == "UNAUTHORIZED" and r.json()["hint"]
                assert r.headers["www-authenticate"].startswith("Bearer")
        with pytest.raises(Exception):  # noqa: B017 - the SDK client surfaces the 401 as an error
            async with mcp_client(server.base + "/mcp", "moltbook_sk_nope") as client:
                await client.list_tools()


def _count(method: str, route: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "http_requests_total", {"method": method, "route": route, "status": "200"}
    )
    return value or 0.0


async def test_tool_calls_are_counted_as_their_rest_routes(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        agent = await register(server.base)
        inbox_before, mcp_before = _count("GET", "/api/v1/inbox"), _count("POST", "/mcp")
        async with mcp_client(server.base + "/mcp", agent.key, mode=MODERN) as client:
            data(await client.call_tool("check_inbox", {}))
        assert _count("GET", "/api/v1/inbox") == inbox_before + 1
        assert _count("POST", "/mcp") >= mcp_before + 2  # discovery and the tool call

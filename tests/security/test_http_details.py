"""SECURITY rows 28, 30, 40: the complete `Allow` on 405, 415 for multipart or form bodies on
JSON-only routes, `/metrics` closed by default to all but loopback and the configured CIDRs."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Hub, HubFactory


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/v1/posts", {"GET", "HEAD", "POST"}),
        ("PUT", "/api/v1/agents/me", {"GET", "HEAD", "PATCH"}),
        ("DELETE", "/api/v1/feed", {"GET", "HEAD"}),
        ("PATCH", "/api/v1/posts/abc/comments", {"GET", "HEAD", "POST"}),
    ],
)
async def test_405_carries_every_allowed_method(hub: Hub, method: str, path: str, allow: set[str]) -> None:
    agent = await hub.register()
    resp = await agent.request(method, path, json={})
    assert resp.status_code == 405, resp.text
    assert {m.strip() for m in resp.headers["allow"].split(",")} == allow
    assert resp.json()["success"] is False and resp.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_trace_is_not_a_method(hub: Hub) -> None:
    resp = await hub.client.request("TRACE", "/api/v1/posts")
    assert resp.status_code == 405 and "TRACE" not in resp.headers["allow"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/api/v1/agents/me"), ("POST", "/api/v1/agents/me/webhook"), ("POST", "/api/v1/posts/x/upvote")],
)
async def test_multipart_and_form_bodies_on_json_routes_get_415(hub: Hub, method: str, path: str) -> None:
    agent = await hub.register()
    resp = await agent.request(method, path, files={"description": (None, "multipart")})
    assert resp.status_code == 415, resp.text
    assert resp.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    resp = await agent.request(method, path, data={"description": "form"})
    assert resp.status_code == 415, resp.text
    me = (await agent.get("/api/v1/agents/me")).json()["agent"]
    assert me["description"] in (None, "")  # nothing changed


async def test_multipart_is_still_taken_where_uploads_are(hub: Hub) -> None:
    agent = await hub.register()
    resp = await agent.post(
        "/api/v1/posts", files={"submolt": (None, "general"), "title": (None, "t"), "content": (None, "c")}
    )
    assert resp.status_code == 201, resp.text


async def test_metrics_are_closed_by_default_except_loopback(make_hub: HubFactory) -> None:
    hub = await make_hub(metrics_allowed_cidrs=[])
    resp = await hub.client.get("/metrics")  # the test client's address is 203.0.113.7
    assert resp.status_code == 404 and resp.json()["success"] is False
    transport = httpx.ASGITransport(app=hub.app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as local:
        resp = await local.get("/metrics")
    assert resp.status_code == 200 and "http_requests_total" in resp.text


async def test_metrics_answer_configured_cidrs(make_hub: HubFactory) -> None:
    hub = await make_hub(metrics_allowed_cidrs=["203.0.113.0/24"])
    assert (await hub.client.get("/metrics")).status_code == 200

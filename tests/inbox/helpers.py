"""Small API helpers shared by the inbox, realtime, webhook and home tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import Actor


async def post(
    actor: Actor, title: str = "A post", content: str = "Hello world", submolt: str = "general"
) -> dict[str, Any]:
    resp = await actor.post("/api/v1/posts", json={"submolt": submolt, "title": title, "content": content})
    assert resp.status_code == 201, resp.text
    return resp.json()["post"]


async def comment(actor: Actor, post_id: str, content: str, parent_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"content": content}
    if parent_id:
        body["parent_id"] = parent_id
    resp = await actor.post(f"/api/v1/posts/{post_id}/comments", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["comment"]


async def inbox(actor: Actor, **params: Any) -> dict[str, Any]:
    resp = await actor.get("/api/v1/inbox", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def count(actor: Actor) -> dict[str, Any]:
    resp = await actor.get("/api/v1/inbox/count")
    assert resp.status_code == 200, resp.text
    return resp.json()

"""Server-owned fields stay server-owned (SECURITY row 25): Moltbook clients send extra fields,
so unknown fields are ignored, never refused — and a client-sent `id`, `karma`, `score`,
counters, `author`, `is_claimed`, `type: human` or `created_at` changes nothing, on every write
route that takes a JSON body (a test per route; the inventory test below keeps the list whole)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from tests.conftest import Actor, Hub, HubFactory

BIG = 987654
SENTINEL_TEXT = "sentinelzz"
FORGED: dict[str, Any] = {
    "id": SENTINEL_TEXT,
    "agent_id": SENTINEL_TEXT,
    "author_id": SENTINEL_TEXT,
    "author": {"id": SENTINEL_TEXT, "name": SENTINEL_TEXT, "type": "human"},
    "karma": BIG,
    "score": BIG,
    "upvotes": BIG,
    "downvotes": BIG,
    "comment_count": BIG,
    "comments_count": BIG,
    "follower_count": BIG,
    "following_count": BIG,
    "subscriber_count": BIG,
    "post_count": BIG,
    "is_claimed": True,
    "is_pinned": True,
    "type": "human",
    "created_at": "1999-01-01T00:00:00Z",
}


@dataclass
class World:
    hub: Hub
    me: Actor
    other: Actor
    third: Actor
    post_id: str
    submolt: str
    conversation_id: str  # me <-> other, active
    pending_id: str  # third -> me, waiting for my answer


async def _world(hub: Hub) -> World:
    me, other = await hub.register("owner_me"), await hub.register("other_one")
    submolt = "forgery"
    assert (await me.post("/api/v1/submolts", json={"name": submolt, "display_name": "F"})).status_code == 201
    r = await other.post("/api/v1/posts", json={"submolt": "general", "title": "theirs", "content": "c"})
    post_id = r.json()["post"]["id"]
    r = await me.post("/api/v1/agents/dm/request", json={"to": "other_one", "message": "hello there, friend"})
    assert r.status_code in (200, 201), r.text
    conversation_id = r.json().get("conversation_id") or r.json()["conversation"]["id"]
    r = await other.post(f"/api/v1/agents/dm/requests/{conversation_id}/approve")
    assert r.status_code == 200, r.text
    third = await hub.register("third_one")
    r = await third.post("/api/v1/agents/dm/request", json={"to": "owner_me", "message": "may I write to you?"})
    pending_id = r.json().get("conversation_id") or r.json()["conversation"]["id"]
    return World(hub, me, other, third, post_id, submolt, conversation_id, pending_id)


Call = Callable[[World], Awaitable[Any]]


async def _remove_moderator(w: World) -> Any:
    r = await w.me.post(f"/api/v1/submolts/{w.submolt}/moderators", json={"agent_name": "other_one"})
    assert r.status_code < 300, r.text
    return await w.me.request("DELETE", f"/api/v1/submolts/{w.submolt}/moderators", json=_body(agent_name="other_one"))


async def _dm_request(w: World) -> Any:
    await w.hub.register("fourth_one")
    return await w.me.post("/api/v1/agents/dm/request", json=_body(to="fourth_one", message="hello, fourth one"))


async def _mine_post(w: World) -> str:
    """A post of another agent in the submolt `me` created (so `me` moderates it)."""
    r = await w.other.post("/api/v1/posts", json={"submolt": w.submolt, "title": "in mine", "content": "c"})
    return str(r.json()["post"]["id"])


async def _mine_comment(w: World) -> str:
    post_id = await _mine_post(w)
    r = await w.other.post(f"/api/v1/posts/{post_id}/comments", json={"content": "their comment"})
    return str(r.json()["comment"]["id"])


async def _hub_owner(w: World) -> Actor:
    from agent_hub.agents.service import create_agent

    async with w.hub.app.state.sessionmaker() as db, db.begin():
        _, key = await create_agent(db, name="hub_owner", agent_type="human", active=True, allow_human=True)
    return Actor(w.hub, "hub_owner", key, {})


async def _restore_post(w: World) -> Any:
    post_id = await _mine_post(w)
    await w.me.post(f"/api/v1/posts/{post_id}/remove", json={"reason": "r"})
    return await w.me.post(f"/api/v1/posts/{post_id}/restore", json=_body(reason="back"))


async def _restore_comment(w: World) -> Any:
    comment_id = await _mine_comment(w)
    await w.me.post(f"/api/v1/comments/{comment_id}/remove", json={"reason": "r"})
    return await w.me.post(f"/api/v1/comments/{comment_id}/restore", json=_body(reason="back"))


async def _reported(w: World) -> str:
    post_id = await _mine_post(w)
    await w.third.post(f"/api/v1/posts/{post_id}/report", json={"reason": "spam"})
    return post_id


async def _resolve(w: World) -> Any:
    post_id = await _reported(w)
    return await w.me.post(f"/api/v1/moderation/reports/post/{post_id}/resolve", json=_body(action="none"))


async def _dismiss(w: World) -> Any:
    post_id = await _reported(w)
    return await w.me.post(f"/api/v1/moderation/reports/post/{post_id}/dismiss", json=_body(reason="fine"))


async def _as_owner(w: World, path: str) -> Any:
    return await (await _hub_owner(w)).post(path, json=_body(reason="loop", duration_minutes=5))


async def _remove_post(w: World) -> Any:
    return await w.me.post(f"/api/v1/posts/{await _mine_post(w)}/remove", json=_body(reason="off topic"))


async def _lock(w: World) -> Any:
    return await w.me.post(f"/api/v1/posts/{await _mine_post(w)}/lock", json=_body(reason="heated"))


async def _remove_comment(w: World) -> Any:
    return await w.me.post(f"/api/v1/comments/{await _mine_comment(w)}/remove", json=_body(reason="rude"))


async def _report_comment(w: World) -> Any:
    return await w.me.post(f"/api/v1/comments/{await _mine_comment(w)}/report", json=_body(reason="spam"))


async def _ban(w: World) -> Any:
    return await w.me.post(f"/api/v1/submolts/{w.submolt}/bans", json=_body(agent_name="third_one", reason="r"))


def _body(**fields: Any) -> dict[str, Any]:
    return {**FORGED, **fields}


ROUTES: dict[tuple[str, str], Call] = {
    ("PATCH", "/api/v1/agents/me"): lambda w: w.me.patch("/api/v1/agents/me", json=_body(description="d")),
    ("POST", "/api/v1/posts"): lambda w: w.me.post(
        "/api/v1/posts",
        json=_body(submolt="general", title="mine", content="c", type="text"),  # a real field here
    ),
    ("POST", "/api/v1/posts/{post_id}/comments"): lambda w: w.me.post(
        f"/api/v1/posts/{w.post_id}/comments", json=_body(content="a comment")
    ),
    ("POST", "/api/v1/submolts"): lambda w: w.me.post(
        "/api/v1/submolts", json=_body(name="forged2", display_name="F2")
    ),
    ("PATCH", "/api/v1/submolts/{name}/settings"): lambda w: w.me.patch(
        f"/api/v1/submolts/{w.submolt}/settings", json=_body(description="new")
    ),
    ("POST", "/api/v1/submolts/{name}/moderators"): lambda w: w.me.post(
        f"/api/v1/submolts/{w.submolt}/moderators", json=_body(agent_name="other_one", role="moderator")
    ),
    ("DELETE", "/api/v1/submolts/{name}/moderators"): lambda w: _remove_moderator(w),
    ("POST", "/api/v1/inbox/read"): lambda w: w.me.post("/api/v1/inbox/read", json=_body(ids=[])),
    ("PUT", "/api/v1/agents/me/webhook"): lambda w: w.me.request(
        "PUT", "/api/v1/agents/me/webhook", json=_body(url="http://127.0.0.1:9/hook")
    ),
    ("POST", "/api/v1/posts/{post_id}/report"): lambda w: w.me.post(
        f"/api/v1/posts/{w.post_id}/report", json=_body(reason="spam")
    ),
    ("POST", "/api/v1/agents/dm/request"): lambda w: _dm_request(w),
    ("POST", "/api/v1/agents/dm/requests/{conversation_id}/reject"): lambda w: w.me.post(
        f"/api/v1/agents/dm/requests/{w.pending_id}/reject", json=_body(block=False)
    ),
    ("POST", "/api/v1/agents/dm/conversations/{conversation_id}/send"): lambda w: w.me.post(
        f"/api/v1/agents/dm/conversations/{w.conversation_id}/send", json=_body(message="a message")
    ),
    # Moderation (docs/moderation.md): `me` moderates the submolt it created; the owner mutes.
    ("POST", "/api/v1/posts/{post_id}/remove"): _remove_post,
    ("POST", "/api/v1/posts/{post_id}/restore"): _restore_post,
    ("POST", "/api/v1/posts/{post_id}/lock"): _lock,
    ("POST", "/api/v1/comments/{comment_id}/remove"): _remove_comment,
    ("POST", "/api/v1/comments/{comment_id}/restore"): _restore_comment,
    ("POST", "/api/v1/comments/{comment_id}/report"): _report_comment,
    ("POST", "/api/v1/submolts/{name}/bans"): _ban,
    ("POST", "/api/v1/moderation/reports/{target_type}/{target_id}/resolve"): _resolve,
    ("POST", "/api/v1/moderation/reports/{target_type}/{target_id}/dismiss"): _dismiss,
    ("POST", "/api/v1/agents/{name}/mute"): lambda w: _as_owner(w, "/api/v1/agents/other_one/mute"),
    ("POST", "/api/v1/agents/{name}/suspend"): lambda w: _as_owner(w, "/api/v1/agents/third_one/suspend"),
    # Routes without a body: a forged one is ignored as well.
    ("POST", "/api/v1/posts/{post_id}/upvote"): lambda w: w.me.post(f"/api/v1/posts/{w.post_id}/upvote", json=_body()),
    ("POST", "/api/v1/agents/{name}/follow"): lambda w: w.me.post("/api/v1/agents/other_one/follow", json=_body()),
}
# The owner's routes refuse unknown fields instead (row 25: `extra="forbid"`); registration has
# its own test below.
REFUSING = ("/auth/", "/api/v1/keys", "/api/v1/claims")


def _forged_anywhere(value: Any) -> list[str]:
    text = orjson.dumps(value).decode()
    return [s for s in (SENTINEL_TEXT, str(BIG), "1999-01-01") if s in text]


async def _public_state(w: World) -> dict[str, Any]:
    me = (await w.me.get("/api/v1/agents/me")).json()["agent"]
    post = (await w.me.get(f"/api/v1/posts/{w.post_id}")).json()["post"]
    submolt = (await w.me.get(f"/api/v1/submolts/{w.submolt}")).json()
    return {"me": me, "post": post, "submolt": submolt}


@pytest.mark.parametrize("route", list(ROUTES), ids=[f"{m} {p}" for m, p in ROUTES])
async def test_client_sent_server_fields_change_nothing(make_hub: HubFactory, route: tuple[str, str]) -> None:
    hub = await make_hub(allow_http_webhooks=True, webhook_allowed_cidrs=["127.0.0.1/32"], webhook_allowed_ports=[])
    w = await _world(hub)
    resp = await ROUTES[route](w)
    assert resp.status_code < 300, resp.text  # extra fields are ignored, never refused
    assert _forged_anywhere(resp.json()) == []
    state = await _public_state(w)
    assert _forged_anywhere(state) == []
    assert state["me"]["type"] != "human" and state["me"]["name"] == "owner_me"
    assert state["post"]["author"]["name"] == "other_one"


async def test_registration_ignores_server_fields(hub: Hub) -> None:
    plain = await hub.register("plain_one")
    # `type` is a real registration field: `human` is refused (the owner's agent is made by setup).
    resp = await hub.client.post("/api/v1/agents/register", json=_body(name="forging_one", description="x"))
    assert resp.status_code == 400 and "type" in resp.json()["error"].lower(), resp.text
    forged = {k: v for k, v in FORGED.items() if k != "type"}
    resp = await hub.client.post("/api/v1/agents/register", json={**forged, "name": "forging_one", "description": "x"})
    assert resp.status_code == 201, resp.text
    assert _forged_anywhere(resp.json()) == []
    forged = Actor(hub, "forging_one", resp.json()["agent"]["api_key"], resp.json())
    mine, theirs = (
        (await forged.get("/api/v1/agents/me")).json()["agent"],
        (await plain.get("/api/v1/agents/me")).json()["agent"],
    )
    assert mine["type"] != "human" and mine["karma"] == 0
    assert mine["is_claimed"] == theirs["is_claimed"]
    assert _forged_anywhere(mine) == []


def test_every_json_write_route_is_covered(hub: Hub) -> None:
    doc = hub.app.openapi()
    writes = {
        (method.upper(), path)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("post", "put", "patch", "delete")
        and "application/json" in op.get("requestBody", {}).get("content", {})
        and not path.startswith(REFUSING)
    }
    missing = writes - set(ROUTES) - {("POST", "/api/v1/agents/register")}
    assert missing == set()

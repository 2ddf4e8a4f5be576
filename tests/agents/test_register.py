"""Registration, keys, claim modes and the caller's own profile (spec §2, §6.1)."""

from __future__ import annotations

import re

from tests.conftest import Hub, HubFactory


async def test_register_returns_live_superset(hub: Hub) -> None:
    resp = await hub.client.post("/api/v1/agents/register", json={"name": "Ace-Kingo", "description": "hi"})
    assert resp.status_code == 201
    body = resp.json()
    assert body["success"] is True
    for key in ("message", "tweet_template", "status", "important", "setup", "skill_files"):
        assert key in body
    agent = body["agent"]
    for key in ("id", "name", "api_key", "claim_url", "verification_code", "profile_url", "created_at"):
        assert agent[key]
    assert re.fullmatch(r"moltbook_sk_[A-Za-z0-9_-]{32}", agent["api_key"])
    assert agent["claim_url"].startswith("http://localhost:8000/claim/moltbook_claim_")
    assert agent["name"] == "Ace-Kingo"


async def test_name_rules_and_conflicts(hub: Hub) -> None:
    for bad in ("", "a", "x" * 33, "has space", "semi;colon"):
        resp = await hub.client.post("/api/v1/agents/register", json={"name": bad})
        assert resp.status_code == 400, bad
        assert resp.json()["success"] is False and resp.json()["error"] and resp.json()["code"]
    assert (await hub.client.post("/api/v1/agents/register", json={"name": "Dup_1"})).status_code == 201
    resp = await hub.client.post("/api/v1/agents/register", json={"name": "dup_1"})
    assert resp.status_code == 409
    assert resp.json() == {
        "success": False,
        "error": "Name already taken",
        "hint": "Try a different name",
        "code": "CONFLICT",
    }


async def test_missing_name_is_400_in_envelope(hub: Hub) -> None:
    resp = await hub.client.post("/api/v1/agents/register", json={})
    assert resp.status_code == 400
    assert resp.json()["success"] is False and resp.json()["code"] == "VALIDATION_ERROR"


async def test_human_type_cannot_be_chosen(hub: Hub) -> None:
    resp = await hub.client.post("/api/v1/agents/register", json={"name": "sneaky", "type": "human"})
    assert resp.status_code == 400
    resp = await hub.client.post("/api/v1/agents/register", json={"name": "codexy", "type": "codex"})
    assert resp.status_code == 201
    me = await hub.client.get(
        "/api/v1/agents/me", headers={"Authorization": "Bearer " + resp.json()["agent"]["api_key"]}
    )
    assert me.json()["agent"]["type"] == "codex"


async def test_me_requires_valid_key(hub: Hub) -> None:
    resp = await hub.client.get("/api/v1/agents/me")
    assert resp.status_code == 401
    assert resp.json()["error"] == "No authorization token provided"
    resp = await hub.client.get("/api/v1/agents/me", headers={"Authorization": "Bearer moltbook_sk_nope"})
    assert resp.status_code == 401
    assert resp.json() == {
        "success": False,
        "error": "Invalid or expired token",
        "hint": "Check your API key or register for a new one",
        "code": "UNAUTHORIZED",
    }


async def test_key_in_query_string_is_refused(hub: Hub) -> None:
    me = await hub.register()
    resp = await hub.client.get(f"/api/v1/agents/me?api_key={me.key}")
    assert resp.status_code == 400


async def test_me_and_patch(hub: Hub) -> None:
    me = await hub.register("patcher")
    resp = await me.get("/api/v1/agents/me")
    agent = resp.json()["agent"]
    for key in (
        "id",
        "name",
        "description",
        "karma",
        "follower_count",
        "following_count",
        "is_claimed",
        "is_active",
        "created_at",
        "last_active",
        "avatar_url",
        "stats",
        "owner",
    ):
        assert key in agent
    resp = await me.patch("/api/v1/agents/me", json={"description": "new words", "metadata": {"a": 1}})
    assert resp.status_code == 200
    assert resp.json()["agent"]["description"] == "new words"
    assert resp.json()["agent"]["metadata"] == {"a": 1}
    resp = await me.patch("/api/v1/agents/me", json={"unknown": 1})
    assert resp.status_code == 400 and resp.json()["error"] == "No valid fields to update"


async def test_claim_mode_blocks_writes_until_claimed(make_hub: HubFactory) -> None:
    hub = await make_hub(registration="claim")
    me = await hub.register("pending_one")
    assert me.registration["agent"]["status"] == "pending_claim"
    status = await me.get("/api/v1/agents/status")
    assert status.json()["status"] == "pending_claim"
    other = await hub.register("pending_two")
    resp = await me.post(f"/api/v1/agents/{other.name}/follow")
    assert resp.status_code == 403
    assert me.registration["agent"]["claim_url"] in resp.json()["hint"]
    # reads still work
    assert (await me.get("/api/v1/agents/me")).status_code == 200


async def test_closed_registration(make_hub: HubFactory) -> None:
    hub = await make_hub(registration="closed")
    resp = await hub.client.post("/api/v1/agents/register", json={"name": "nobody"})
    assert resp.status_code == 403 and resp.json()["success"] is False


async def test_follow_unfollow_actions_and_counters(hub: Hub) -> None:
    a = await hub.register("alice")
    await hub.register("bob")
    r = await a.post("/api/v1/agents/bob/follow")
    assert r.json()["action"] == "followed" and r.json()["message"]
    r = await a.post("/api/v1/agents/BOB/follow", content=b"", headers={"Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["action"] == "already_following"
    r = await a.post("/api/v1/agents/alice/follow", json={})
    assert r.status_code == 400 and r.json()["error"] == "Cannot follow yourself"
    prof = await a.get("/api/v1/agents/profile?name=bob")
    assert prof.json()["agent"]["follower_count"] == 1 and prof.json()["isFollowing"] is True
    me = await a.get("/api/v1/agents/me")
    assert me.json()["agent"]["following_count"] == 1
    r = await a.delete("/api/v1/agents/bob/follow")
    assert r.json()["action"] == "unfollowed"
    r = await a.delete("/api/v1/agents/bob/follow")
    assert r.json()["action"] == "not_following"
    r = await a.post("/api/v1/agents/ghost/follow")
    assert r.status_code == 404


async def test_profile_is_public_and_404s(hub: Hub) -> None:
    await hub.register("visible")
    resp = await hub.client.get("/api/v1/agents/profile?name=visible")
    assert resp.status_code == 200
    assert {"agent", "recentPosts", "recentComments"} <= set(resp.json())
    resp = await hub.client.get("/api/v1/agents/profile?name=missing")
    assert resp.status_code == 404 and resp.json()["error"] == "Agent not found"


def test_author_fields_are_the_author_model_exactly() -> None:
    """Comment responses embed `author_fields` without the model: it must stay its dump."""
    from types import SimpleNamespace

    from agent_hub.agents.schemas import AuthorOut, author_fields
    from agent_hub.db.base import utcnow

    agent = SimpleNamespace(
        id="a1",
        name="n",
        display_name=None,
        description=None,
        type="claude",
        avatar_url=None,
        karma=3,
        follower_count=1,
        following_count=2,
        is_claimed=True,
        is_active=True,
        created_at=utcnow(),
        last_active=None,
    )
    fields = author_fields(agent)
    assert fields == AuthorOut(**fields).model_dump() and list(fields) == list(AuthorOut.model_fields)

"""The activity view: what an agent did today, for the owner (any agent) and the agent itself."""

from __future__ import annotations

from typing import Any

import pytest

from agent_hub import refusals
from tests.auth.support import FAST, make_owner
from tests.conftest import Actor, HubFactory

API = "/api/v1"


async def test_what_an_agent_did_today(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    owner = await make_owner(hub)
    resp = await owner.browser.post(f"{API}/keys/agents", json={"name": "scout", "type": "claude"})
    scout = Actor(hub, "scout", resp.json()["api_key"], resp.json())
    other = await hub.register("other")
    theirs = (await other.post(f"{API}/posts", json={"submolt": "general", "title": "Theirs"})).json()["post"]["id"]
    mine = (await scout.post(f"{API}/posts", json={"submolt": "general", "title": "Mine"})).json()["post"]["id"]
    assert (await scout.post(f"{API}/posts/{theirs}/comments", json={"content": "Nice one"})).status_code == 201
    assert (await scout.post(f"{API}/posts/{theirs}/upvote")).status_code == 200
    resp = await owner.browser.post(f"{API}/agents/dm/request", json={"to": "scout", "message": "How is it going?"})
    cid = resp.json()["conversation_id"]
    resp = await scout.post(f"{API}/agents/dm/conversations/{cid}/send", json={"message": "All good, two posts read"})
    assert resp.status_code == 200, resp.text

    resp = await owner.browser.get(f"{API}/agents/scout/activity")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["counts"]["posts"] == 1 and body["counts"]["comments"] == 1 and body["counts"]["votes"] == 1
    assert body["counts"]["dms"] == 1
    by_kind = {item["kind"]: item for item in body["items"]}
    assert by_kind["post"]["id"] == mine and by_kind["comment"]["text"] == "Nice one"
    assert by_kind["vote"]["target_type"] == "post" and by_kind["vote"]["value"] == 1
    assert by_kind["dm"]["to"] == owner.username
    assert body["keys"][0]["prefix"] and not body["keys"][0]["revoked"]
    assert [i["at"] for i in body["items"]] == sorted((i["at"] for i in body["items"]), reverse=True)

    assert (await scout.get(f"{API}/agents/scout/activity")).status_code == 200  # its own
    assert (await other.get(f"{API}/agents/scout/activity")).status_code == 403
    for days in (0, 8):
        resp = await owner.browser.get(f"{API}/agents/scout/activity", params={"days": days})
        assert resp.status_code == 400 and resp.json()["hint"]
    assert (await owner.browser.get(f"{API}/agents/nobody/activity")).status_code == 404

    today = (await owner.browser.get(f"{API}/home")).json()["agents_today"]
    assert today == [{"name": "scout", "posts": 1, "comments": 1, "votes": 1, "dms": 1}]


async def test_refused_requests_per_agent(make_hub: HubFactory) -> None:
    """401 (a revoked key), 403 (a locked thread) and 429 (a business limit and the general limit
    before identity) land in the agent's activity with route and reason; a 401 for an unknown key
    names nobody; the agent's other requests record nothing."""
    hub = await make_hub(**FAST, rate_limits="moltbook")  # the Valkey store: the flood test
    owner = await make_owner(hub)
    resp = await owner.browser.post(f"{API}/keys/agents", json={"name": "scout", "type": "claude"})
    scout = Actor(hub, "scout", resp.json()["api_key"], resp.json())
    stranger = await hub.register("drifter")
    post = (await stranger.post(f"{API}/posts", json={"submolt": "general", "title": "Open thread"})).json()["post"]
    assert (await scout.get(f"{API}/agents/scout/activity")).json()["counts"]["refused"] == 0

    assert (await owner.browser.post(f"{API}/posts/{post['id']}/lock", json={"reason": "heated"})).status_code == 200
    assert (await scout.post(f"{API}/posts/{post['id']}/comments", json={"content": "late"})).status_code == 403
    resp = await stranger.post(f"{API}/posts", json={"submolt": "general", "title": "Again"})
    assert resp.status_code == 429  # a stranger's post spacing
    for _ in range(70):  # past the stranger's 60 reads a minute: the general limit refuses
        last = await stranger.get(f"{API}/agents/me")
    assert last.status_code == 429
    keys = (await owner.browser.get(f"{API}/keys")).json()["agents"]
    key_id = next(a for a in keys if a["name"] == "scout")["keys"][0]["id"]
    assert (await owner.browser.delete(f"{API}/keys/{key_id}")).status_code == 200
    assert (await scout.get(f"{API}/agents/me")).status_code == 401
    unknown = await hub.client.get(f"{API}/agents/me", headers={"Authorization": "Bearer moltbook_sk_" + "x" * 40})
    assert unknown.status_code == 401

    body = (await owner.browser.get(f"{API}/agents/scout/activity")).json()
    assert body["counts"]["refused"] == 2
    assert body["counts"]["refused_by_status"] == {"401": 1, "403": 1, "429": 0}
    refused = [i for i in body["items"] if i["kind"] == "refused"]
    assert [(i["status"], i["method"], i["route"], i["text"]) for i in refused] == [
        (401, "GET", "/api/v1/agents/me", "Invalid or expired token"),
        (403, "POST", "/api/v1/posts/{post_id}/comments", "This post is locked"),
    ]
    assert refused[0]["key_prefix"] == scout.key[:16] and refused[1]["key_prefix"] is None  # which key
    body = (await owner.browser.get(f"{API}/agents/drifter/activity")).json()
    by_status = body["counts"]["refused_by_status"]
    assert by_status["429"] == 1 + 10  # the second post, then the 10 reads past 60 a minute
    reasons = {i["text"] for i in body["items"] if i["kind"] == "refused"}
    assert "Rate limit exceeded" in reasons and any("post" in r.lower() for r in reasons), reasons


async def test_a_flood_of_refusals_stays_bounded(make_hub: HubFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    await _flood(make_hub, {}, monkeypatch)


async def test_a_flood_of_refusals_stays_bounded_in_valkey(
    make_hub: HubFactory, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _flood(make_hub, {"redis_url": redis_url}, monkeypatch)


async def _flood(make_hub: HubFactory, extra: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every refusal is counted, but an agent keeps only its latest `CAP`; in memory at most
    `MAX_AGENTS` agents are kept; in Valkey every key expires."""
    hub = await make_hub(**FAST, **extra)
    for limiter in (hub.app.state.limiter, hub.app.state.auth.limiter):
        await limiter.reset()  # Valkey outlives a test (sign-in budgets of earlier ones)
    await hub.app.state.refusals.reset()
    store = "valkey" if extra else "memory"
    owner = await make_owner(hub)
    spammer = await hub.register("spammer")
    assert (await owner.browser.post(f"{API}/agents/spammer/mute", json={"reason": "loop"})).status_code == 200
    n = refusals.CAP + 30
    for i in range(n):
        resp = await spammer.post(f"{API}/posts", json={"submolt": "general", "title": f"spam {i}"})
        assert resp.status_code == 403
    body = (await owner.browser.get(f"{API}/agents/spammer/activity")).json()
    assert body["counts"]["refused_by_status"]["403"] == n  # counted exactly
    refused = [i for i in body["items"] if i["kind"] == "refused"]
    assert len(refused) == refusals.CAP  # but only the latest kept
    log: refusals.RefusalLog = hub.app.state.refusals
    if store == "valkey":
        keys = [k async for k in log.redis.scan_iter(match=f"{log.prefix}*:{spammer.registration['agent']['id']}*")]
        assert keys
        for k in keys:
            assert 0 < await log.redis.ttl(k) <= refusals.KEEP
        assert await log.redis.llen(f"{log.prefix}i:{spammer.registration['agent']['id']}") == refusals.CAP
    else:
        monkeypatch.setattr(refusals, "MAX_AGENTS", 3)
        for i in range(10):
            await log.record(f"agent-{i}", 429, "GET", "/api/v1/feed", "Rate limit exceeded")
        assert len(log._items) == 3 and len(log._counts) == 3
        assert "agent-9" in log._items and spammer.registration["agent"]["id"] not in log._items

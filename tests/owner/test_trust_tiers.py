"""Trust tiers under the live Moltbook limits (agents/trust.py): the owner meets only generous
ceilings, the owner's agents their own numbers from the first minute, strangers the Moltbook ones."""

from __future__ import annotations

from typing import Any

from tests.auth.support import FAST, Browser, Owner, make_owner
from tests.conftest import Actor, Hub, HubFactory

API = "/api/v1"
MSG = "Hello there, a question about your last post"


async def _hub(make_hub: HubFactory, **overrides: Any) -> Hub:
    return await make_hub(rate_limits="moltbook", **FAST, **overrides)


async def _own_agent(owner: Owner, name: str) -> tuple[Actor, dict]:
    resp = await owner.browser.post(f"{API}/keys/agents", json={"name": name, "type": "claude"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    return Actor(owner.hub, name, body["api_key"], body), body["agent"]


async def test_owner_posts_twice_and_reads_past_the_stranger_limits(make_hub: HubFactory) -> None:
    hub = await _hub(make_hub)
    owner = await make_owner(hub)
    for title in ("first", "second", "third"):
        resp = await owner.browser.post(f"{API}/posts", json={"submolt": "general", "title": title})
        assert resp.status_code == 201, resp.text
    post_id = resp.json()["post"]["id"]
    for i in range(3):
        resp = await owner.browser.post(f"{API}/posts/{post_id}/comments", json={"content": f"reply {i}"})
        assert resp.status_code == 201, resp.text
    # 130 reads: past the stranger's 60 a minute and the per-IP ceiling of 100.
    statuses = {(await owner.browser.get(f"{API}/agents/me")).status_code for _ in range(130)}
    assert statuses == {200}
    resp = await owner.browser.get(f"{API}/feed")
    assert int(resp.headers["X-RateLimit-Limit"]) >= 1000


async def test_owner_created_agent_posts_comments_and_dms_at_once(make_hub: HubFactory) -> None:
    hub = await _hub(make_hub)
    owner = await make_owner(hub)
    scout, listed = await _own_agent(owner, "scout")
    assert listed["trust"]["tier"] == "trusted" and listed["trust"]["limits"]["posts_per_hour"] == 30
    stranger = await hub.register("passerby")
    for title in ("one", "two"):
        resp = await scout.post(f"{API}/posts", json={"submolt": "general", "title": title})
        assert resp.status_code == 201, resp.text
    post_id = resp.json()["post"]["id"]
    for i in range(3):  # no 20 s (60 s for new agents) cooldown
        resp = await scout.post(f"{API}/posts/{post_id}/comments", json={"content": f"note {i}"})
        assert resp.status_code == 201, resp.text
    resp = await scout.post(f"{API}/agents/dm/request", json={"to": stranger.name, "message": MSG})
    assert resp.status_code == 200, resp.text
    # The owner opens a conversation with the agent, which answers at once.
    resp = await owner.browser.post(f"{API}/agents/dm/request", json={"to": "scout", "message": MSG})
    assert resp.status_code == 200, resp.text
    cid = resp.json()["conversation_id"]
    resp = await scout.post(f"{API}/agents/dm/conversations/{cid}/send", json={"message": "On it."})
    assert resp.status_code == 200, resp.text
    statuses = {(await scout.get(f"{API}/agents/me")).status_code for _ in range(70)}
    assert statuses == {200}


async def test_strangers_keep_the_moltbook_limits(make_hub: HubFactory) -> None:
    hub = await _hub(make_hub)
    await make_owner(hub)
    me = await hub.register("newcomer")
    await hub.register("other")
    assert (await me.post(f"{API}/posts", json={"submolt": "general", "title": "one"})).status_code == 201
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "two"})
    assert resp.status_code == 429 and resp.json()["error"] == "New agents can only post once every 2 hours"
    resp = await me.post(f"{API}/agents/dm/request", json={"to": "other", "message": MSG})
    assert resp.status_code == 403 and "24 hours" in resp.json()["error"]
    client = Browser(hub, ip="198.51.100.23").client  # its own IP: only the per-key limit counts
    statuses = [(await client.get(f"{API}/agents/me", headers=me.headers)).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


async def test_owner_marks_untrusted_and_sets_limits(make_hub: HubFactory) -> None:
    hub = await _hub(make_hub)
    owner = await make_owner(hub)
    scout, agent = await _own_agent(owner, "scout")
    url = f"{API}/keys/agents/{agent['id']}/trust"
    resp = await owner.browser.patch(url, json={"limits": {"posts_per_hour": 2}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["agent"]["trust"]["limits"]["posts_per_hour"] == 2
    for title in ("one", "two"):
        assert (await scout.post(f"{API}/posts", json={"submolt": "general", "title": title})).status_code == 201
    resp = await scout.post(f"{API}/posts", json={"submolt": "general", "title": "three"})
    assert resp.status_code == 429 and resp.json()["error"] == "Post limit reached (2 an hour)"

    resp = await owner.browser.patch(url, json={"trust": "untrusted"})
    assert resp.status_code == 200 and resp.json()["agent"]["trust"]["tier"] == "stranger"
    resp = await scout.post(f"{API}/agents/dm/request", json={"to": owner.username, "message": MSG})
    assert resp.status_code == 403 and "24 hours" in resp.json()["error"]
    resp = await owner.browser.patch(url, json={"trust": "auto"})
    assert resp.json()["agent"]["trust"]["tier"] == "trusted"
    listing = await owner.browser.get(f"{API}/keys")
    assert next(a for a in listing.json()["agents"] if a["name"] == "scout")["trust"]["setting"] == "auto"


async def test_trust_changes_are_validated(make_hub: HubFactory) -> None:
    hub = await _hub(make_hub)
    owner = await make_owner(hub)
    scout, agent = await _own_agent(owner, "scout")
    url = f"{API}/keys/agents/{agent['id']}/trust"
    for body in ({}, {"limits": {"bogus": 3}}, {"limits": {"posts_per_hour": 0}}, {"trust": "maybe"}):
        resp = await owner.browser.patch(url, json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["success"] is False and resp.json()["hint"]
    resp = await owner.browser.patch(url, json={"limits": {"posts_per_hour": 0}})
    listing = (await owner.browser.get(f"{API}/keys")).json()["agents"]
    assert next(a for a in listing if a["name"] == "scout")["trust"]["limits"]["posts_per_hour"] == 30
    # Only the owner's session may change it.
    resp = await scout.patch(url, json={"trust": "trusted"})
    assert resp.status_code in (401, 403)


async def test_a_tier_change_applies_on_every_replica(make_hub: HubFactory, redis_url: str) -> None:
    """Two replicas sharing the database and Valkey: the owner demotes an agent on one; on the
    other, whose key cache and tier memo knew the agent as trusted, the stranger rules apply from
    the next request (business rules) and from the one after (the general limit, whose memo is
    rewritten by the request that resolves the caller), and the promotion back likewise."""
    hub1 = await _hub(make_hub, redis_url=redis_url)
    hub2 = await _hub(make_hub, redis_url=redis_url)
    for limiter in (hub1.app.state.limiter, hub1.app.state.auth.limiter):
        await limiter.reset()  # Valkey outlives a test
    owner = await make_owner(hub1)
    scout, agent = await _own_agent(owner, "scout")
    on_hub2 = Actor(hub2, "scout", scout.key, scout.registration)

    async def general_limit() -> int:
        resp = await on_hub2.get(f"{API}/agents/me")
        assert resp.status_code == 200, resp.text
        return int(resp.headers["X-RateLimit-Limit"])

    assert [await general_limit() for _ in range(2)][-1] == 600  # trusted, cached on hub2
    url = f"{API}/keys/agents/{agent['id']}/trust"
    assert (await owner.browser.patch(url, json={"trust": "untrusted"})).status_code == 200
    resp = await on_hub2.post(f"{API}/agents/dm/request", json={"to": owner.username, "message": MSG})
    assert resp.status_code == 403 and "24 hours" in resp.json()["error"]  # the very next request
    assert await general_limit() == 60
    assert (await owner.browser.patch(url, json={"trust": "auto"})).status_code == 200
    resp = await on_hub2.post(f"{API}/agents/dm/request", json={"to": owner.username, "message": MSG})
    assert resp.status_code == 200, resp.text
    assert await general_limit() == 600

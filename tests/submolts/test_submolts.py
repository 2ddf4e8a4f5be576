"""Submolts: creation rules, reads, listing, subscriptions, settings (spec §6.5, §5.1, §5.4)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from tests.conftest import Hub, HubFactory

SUBMOLT_KEYS = (
    "id",
    "name",
    "display_name",
    "description",
    "subscriber_count",
    "post_count",
    "allow_crypto",
    "avatar_url",
    "banner_url",
    "banner_color",
    "theme_color",
    "created_by",
    "creator_id",
    "created_at",
    "last_activity_at",
    "your_role",
    "is_subscribed",
)


async def test_create_returns_full_object_owner_and_subscription(hub: Hub) -> None:
    me = await hub.register("founder")
    resp = await me.post("/api/v1/submolts", json={"name": "DeFi-Talk", "description": " money ", "allow_crypto": True})
    assert resp.status_code == 201, resp.text
    s = resp.json()["submolt"]
    for key in SUBMOLT_KEYS:
        assert key in s, key
    assert s["name"] == "defi-talk" and s["display_name"] == "DeFi-Talk" and s["description"] == "money"
    assert s["allow_crypto"] is True and s["subscriber_count"] == 1 and s["your_role"] == "owner"
    assert s["is_subscribed"] is True and s["creator_id"] == s["created_by"]
    me_out = (await me.get("/api/v1/agents/me")).json()["agent"]
    assert me_out["stats"]["subscriptions"] == 1 and s["created_by"] == me_out["id"]
    got = (await me.get("/api/v1/submolts/DEFI-TALK")).json()
    assert got["submolt"]["your_role"] == "owner" and got["your_role"] == "owner"
    assert got["isSubscribed"] is True and got["is_subscribed"] is True and got["submolt"]["is_subscribed"] is True
    anon = (await hub.client.get("/api/v1/submolts/defi-talk")).json()
    assert anon["your_role"] is None and anon["is_subscribed"] is False


async def test_display_name_given(hub: Hub) -> None:
    me = await hub.register()
    s = (await me.post("/api/v1/submolts", json={"name": "tools", "display_name": "Tool Talk"})).json()["submolt"]
    assert s["display_name"] == "Tool Talk" and s["description"] == ""


async def test_name_rules_reserved_and_conflict(hub: Hub) -> None:
    me = await hub.register()
    for bad in ("", "a", "x" * 31, "has space", "dots.no", "émoji", None):
        resp = await me.post("/api/v1/submolts", json={"name": bad})
        assert resp.status_code == 400, bad
        assert resp.json()["success"] is False
    for reserved in ("admin", "MOD", "api", "www", "moltbook", "help", "all", "popular", "agenthub"):
        resp = await me.post("/api/v1/submolts", json={"name": reserved})
        assert resp.status_code == 400 and "reserved" in resp.json()["error"], reserved
    assert (await me.post("/api/v1/submolts", json={"name": "x" * 30})).status_code == 201
    assert (await me.post("/api/v1/submolts", json={"name": "under_score-2"})).status_code == 201
    resp = await me.post("/api/v1/submolts", json={"name": "Under_Score-2"})
    assert resp.status_code == 409 and resp.json()["error"] == "Submolt name already taken"
    resp = await me.post("/api/v1/submolts", json={"name": "general"})  # created at startup
    assert resp.status_code == 409
    assert (await me.post("/api/v1/submolts")).status_code == 400
    assert (await hub.client.post("/api/v1/submolts", json={"name": "anon"})).status_code == 401


async def test_unknown_submolt_is_404(hub: Hub) -> None:
    me = await hub.register()
    for method, path in (
        ("GET", "/api/v1/submolts/nope"),
        ("POST", "/api/v1/submolts/nope/subscribe"),
        ("PATCH", "/api/v1/submolts/nope/settings"),
        ("GET", "/api/v1/submolts/nope/moderators"),
    ):
        resp = await me.request(method, path, json={"description": "x"} if method == "PATCH" else None)
        assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found", path


async def test_subscribe_actions_and_counters(hub: Hub) -> None:
    owner = await hub.register()
    me = await hub.register("joiner")
    await owner.post("/api/v1/submolts", json={"name": "club"})
    url = "/api/v1/submolts/club/subscribe?action=subscribe"  # moltcli's extra parameter is ignored
    r = await me.post(url)
    assert r.status_code == 200 and r.json()["action"] == "subscribed" and r.json()["message"]
    r = await me.post(url, content=b"", headers={"Content-Type": "application/json"})
    assert r.json()["action"] == "already_subscribed"
    r = await me.post(url, json={})
    assert r.json()["action"] == "already_subscribed"
    s = (await me.get("/api/v1/submolts/club")).json()
    assert s["submolt"]["subscriber_count"] == 2 and s["is_subscribed"] is True and s["your_role"] is None
    assert (await me.get("/api/v1/agents/me")).json()["agent"]["stats"]["subscriptions"] == 1
    r = await me.delete("/api/v1/submolts/club/subscribe")
    assert r.json()["action"] == "unsubscribed"
    r = await me.delete("/api/v1/submolts/club/subscribe")
    assert r.json()["action"] == "not_subscribed"
    s = (await me.get("/api/v1/submolts/club")).json()
    assert s["submolt"]["subscriber_count"] == 1 and s["isSubscribed"] is False
    assert (await me.get("/api/v1/agents/me")).json()["agent"]["stats"]["subscriptions"] == 0
    assert (await hub.client.post("/api/v1/submolts/club/subscribe")).status_code == 401


async def test_listing_sorts_and_paging(hub: Hub) -> None:
    a, b, c = await hub.register(), await hub.register(), await hub.register()
    for name in ("beta", "alpha", "gamma"):
        assert (await a.post("/api/v1/submolts", json={"name": name})).status_code == 201
    await b.post("/api/v1/submolts/gamma/subscribe")
    await c.post("/api/v1/submolts/gamma/subscribe")
    await b.post("/api/v1/submolts/alpha/subscribe")
    body = (await hub.client.get("/api/v1/submolts")).json()
    assert {"success", "submolts", "count", "has_more", "next_cursor", "data", "pagination"} <= set(body)
    names = [s["name"] for s in body["submolts"]]
    assert names[:2] == ["gamma", "alpha"] and names[2:] == ["beta", "general"]  # ties: newest first
    names = [s["name"] for s in (await hub.client.get("/api/v1/submolts?sort=new")).json()["submolts"]]
    assert names == ["gamma", "alpha", "beta", "general"]
    names = [s["name"] for s in (await hub.client.get("/api/v1/submolts?sort=alphabetical")).json()["submolts"]]
    assert names == ["alpha", "beta", "gamma", "general"]
    hot = [s["name"] for s in (await hub.client.get("/api/v1/submolts?sort=hot")).json()["submolts"]]
    assert sorted(hot) == ["alpha", "beta", "gamma", "general"]
    for sort in ("popular", "new", "alphabetical", "hot"):
        seen, cursor = [], None
        while True:
            params = {"sort": sort, "limit": 1, **({"cursor": cursor} if cursor else {})}
            page = (await hub.client.get("/api/v1/submolts", params=params)).json()
            seen += [s["name"] for s in page["submolts"]]
            if not page["has_more"]:
                break
            cursor = page["next_cursor"]
        assert sorted(seen) == ["alpha", "beta", "gamma", "general"], sort
        assert len(seen) == 4
    mine = (await a.get("/api/v1/submolts?sort=alphabetical")).json()["submolts"]
    assert mine[0]["your_role"] == "owner" and mine[0]["is_subscribed"] is True
    assert mine[3]["your_role"] is None
    offset = (await hub.client.get("/api/v1/submolts?sort=alphabetical&offset=2")).json()["submolts"]
    assert [s["name"] for s in offset] == ["gamma", "general"]


async def test_settings_roles_and_validation(hub: Hub) -> None:
    owner = await hub.register("own")
    mod = await hub.register("moddy")
    rando = await hub.register("rando")
    await owner.post("/api/v1/submolts", json={"name": "styled"})
    await owner.post("/api/v1/submolts/styled/moderators", json={"agent_name": "moddy"})
    url = "/api/v1/submolts/styled/settings"
    r = await rando.patch(url, json={"description": "hijack"})
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    r = await owner.patch(url, json={"description": "new desc", "banner_color": "#A1B2C3", "theme_color": "#000000"})
    assert r.status_code == 200, r.text
    s = r.json()["submolt"]
    assert s["description"] == "new desc" and s["banner_color"] == "#a1b2c3" and s["theme_color"] == "#000000"
    r = await mod.patch(url, json={"display_name": "Styled!"})
    assert r.status_code == 200 and r.json()["submolt"]["display_name"] == "Styled!"
    assert r.json()["submolt"]["your_role"] == "moderator"
    for bad in ("red", "#12345", "#1234567", "#gggggg", "123456"):
        r = await owner.patch(url, json={"theme_color": bad})
        assert r.status_code == 400, bad
    r = await owner.patch(url, json={"unknown": 1})
    assert r.status_code == 400 and r.json()["error"] == "No valid fields to update"
    r = await owner.patch(url)
    assert r.status_code == 400 and r.json()["error"] == "No valid fields to update"


async def test_new_agent_may_create_one_submolt(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    me = await hub.register()
    assert (await me.post("/api/v1/submolts", json={"name": "first-one"})).status_code == 201
    # the hourly limit would also refuse; age the limiter out of the picture
    await hub.app.state.limiter.reset()
    resp = await me.post("/api/v1/submolts", json={"name": "second-one"})
    assert resp.status_code == 429
    body = resp.json()
    assert body["code"] == "RATE_LIMITED" and body["retry_after_seconds"] > 3600
    # an established agent still meets the hourly limit
    async with hub.app.state.sessionmaker() as db, db.begin():
        agent = (await db.execute(select(Agent).where(Agent.name == me.name))).scalar_one()
        agent.created_at = utcnow() - timedelta(days=2)
    resp = await me.post("/api/v1/submolts", json={"name": "second-one"})
    assert resp.status_code == 201
    resp = await me.post("/api/v1/submolts", json={"name": "third-one"})
    assert resp.status_code == 429 and resp.json()["retry_after_minutes"] >= 1

"""The activity view: what an agent did today, for the owner (any agent) and the agent itself."""

from __future__ import annotations

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

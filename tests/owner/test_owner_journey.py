"""A new owner's first minutes under the live Moltbook limits, through the API the UI calls: five
agents created, each posts and comments at once; the owner posts twice, replies, opens a DM and
gets the answer, removes a post, locks a thread and resolves a report — and never meets a 429."""

from __future__ import annotations

import httpx

from tests.auth.support import FAST, make_owner
from tests.conftest import Actor, HubFactory

API = "/api/v1"


async def test_first_minutes_of_a_new_owner(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook", **FAST)
    owner = await make_owner(hub)
    answers: list[httpx.Response] = []

    async def ok(resp: httpx.Response, status: int = 200) -> dict:
        answers.append(resp)
        assert resp.status_code == status, resp.text
        return dict(resp.json())

    agents: list[Actor] = []
    for i in range(5):
        body = await ok(
            await owner.browser.post(f"{API}/keys/agents", json={"name": f"crew{i}", "type": "claude"}), 201
        )
        agents.append(Actor(hub, f"crew{i}", body["api_key"], body))
        await ok(await owner.browser.get(f"{API}/keys"))  # the Agents page reloads its list
    first = await ok(await owner.browser.post(f"{API}/posts", json={"submolt": "general", "title": "Welcome"}), 201)
    second = await ok(await owner.browser.post(f"{API}/posts", json={"submolt": "general", "title": "Plan"}), 201)
    welcome, plan = first["post"]["id"], second["post"]["id"]
    posts = []
    for n, agent in enumerate(agents):
        body = await ok(await agent.post(f"{API}/posts", json={"submolt": "general", "title": f"Hello from {n}"}), 201)
        posts.append(body["post"]["id"])
        for target in (welcome, plan):
            await ok(await agent.post(f"{API}/posts/{target}/comments", json={"content": f"Agent {n} here"}), 201)
    comment = (await ok(await owner.browser.get(f"{API}/posts/{welcome}/comments")))["comments"][0]
    await ok(
        await owner.browser.post(
            f"{API}/posts/{welcome}/comments", json={"content": "Glad you are here", "parent_id": comment["id"]}
        ),
        201,
    )
    dm = await ok(
        await owner.browser.post(f"{API}/agents/dm/request", json={"to": "crew0", "message": "How is the crew doing?"})
    )
    cid = dm["conversation_id"]
    await ok(await agents[0].post(f"{API}/agents/dm/conversations/{cid}/send", json={"message": "All green."}))
    convo = await ok(await owner.browser.get(f"{API}/agents/dm/conversations/{cid}"))
    assert "All green." in str(convo)

    await ok(await agents[1].post(f"{API}/posts/{posts[2]}/report", json={"reason": "off topic"}))
    await ok(await owner.browser.post(f"{API}/posts/{posts[3]}/remove", json={"reason": "duplicate"}))
    await ok(await owner.browser.post(f"{API}/posts/{plan}/lock", json={"reason": "decided"}))
    queue = (await ok(await owner.browser.get(f"{API}/moderation/reports")))["reports"]
    assert [q["target_id"] for q in queue] == [posts[2]]
    await ok(await owner.browser.post(f"{API}/moderation/reports/post/{posts[2]}/resolve", json={"action": "none"}))
    # Clicking around: pages, feeds, profiles and the inbox, many times over.
    for _ in range(15):
        for path in ("/home", "/feed", "/posts", f"/posts/{welcome}", "/notifications", "/keys", "/submolts"):
            await ok(await owner.browser.get(f"{API}{path}"))
    assert not [r for r in answers if r.status_code == 429]
    assert (await owner.browser.get(f"{API}/home")).json()["moderator_status"]["open_reports"] == 0

"""GET /home (spec §6.10) and inbox counters under a notification storm."""

from __future__ import annotations

import asyncio

from tests.conftest import Hub
from tests.inbox.helpers import comment, count, inbox, post


async def test_home_shape(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    p = await post(alice, "Alice writes")
    await comment(bob, p["id"], "great stuff")
    await post(bob, "Bob's news", "fresh")
    await alice.post("/api/v1/agents/bob/follow")
    await bob.post("/api/v1/agents/dm/request", json={"to": "alice", "message": "Hi Alice, a question for you"})
    r = await alice.get("/api/v1/home")
    assert r.status_code == 200
    home = r.json()
    for key in (
        "your_account",
        "activity_on_your_posts",
        "your_direct_messages",
        "latest_moltbook_announcement",
        "posts_from_accounts_you_follow",
        "explore",
        "what_to_do_next",
        "quick_links",
    ):
        assert key in home
    assert home["your_account"]["name"] == "alice" and home["your_account"]["unread_notification_count"] == 2
    assert isinstance(home["your_account"]["karma"], int)
    act = home["activity_on_your_posts"]
    assert len(act) == 1 and act[0]["post_id"] == p["id"] and act[0]["post_title"] == "Alice writes"
    assert act[0]["submolt_name"] == "general" and act[0]["new_notification_count"] == 1
    assert act[0]["latest_commenters"] == ["bob"] and act[0]["preview"] == "great stuff" and act[0]["suggested_actions"]
    dms = home["your_direct_messages"]
    assert dms["pending_request_count"] == 1 and dms["pending_requests"] == 1
    assert dms["unread_message_count"] == 0 and dms["unread_count"] == 0
    assert home["latest_moltbook_announcement"] is None
    following = home["posts_from_accounts_you_follow"]
    assert following["total_following"] == 1 and following["posts"][0]["title"] == "Bob's news"
    assert following["posts"][0]["author_name"] == "bob" and following["posts"][0]["submolt_name"] == "general"
    assert home["explore"]["endpoint"] and isinstance(home["what_to_do_next"], list) and home["what_to_do_next"]
    assert home["quick_links"]["notifications"].endswith("/api/v1/notifications")
    assert (await hub.client.get("/api/v1/home")).status_code == 401


async def test_reply_storm_keeps_counts_exact(hub: Hub) -> None:
    alice = await hub.register("alice")
    repliers = [await hub.register(f"r{i}") for i in range(10)]
    p = await post(alice)
    root = await comment(alice, p["id"], "ask me anything")

    async def burst(actor, n):  # type: ignore[no-untyped-def]
        for i in range(n):
            await comment(actor, p["id"], f"reply {i}", parent_id=root["id"])

    await asyncio.gather(*(burst(r, 20) for r in repliers))  # 200 replies, concurrent writers
    c = await count(alice)
    assert (c["unread"], c["total"]) == (200, 200)
    seen, cursor = [], None
    while True:
        page = await alice.get("/api/v1/inbox", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    ids = [i["id"] for i in seen]
    assert len(ids) == 200 and len(set(ids)) == 200 and ids == sorted(ids, reverse=True)
    assert {i["type"] for i in seen} == {"reply"} and c["last_id"] == ids[0]
    await alice.post("/api/v1/inbox/read", json={"ids": ids[:50]})
    assert (await count(alice))["unread"] == 150
    await alice.post("/api/v1/inbox/read-all")
    c = await count(alice)
    assert (c["unread"], c["total"]) == (0, 200)
    assert (await inbox(alice, unread_only="true"))["items"] == []

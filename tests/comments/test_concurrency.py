"""Concurrent writers never lose a counter update (real concurrent transactions on PostgreSQL;
SQLite serialises writers, where the same test simply passes in sequence)."""

from __future__ import annotations

import asyncio

from tests.comments.support import comment, make_post, post_row
from tests.conftest import Hub


async def test_concurrent_comments_replies_and_deletes_keep_counters_exact(hub: Hub) -> None:
    owner = await hub.register()
    agents = [await hub.register() for _ in range(12)]
    post_id = await make_post(hub, owner)
    parent = await comment(owner, post_id, "parent")
    doomed = [await comment(a, post_id, "doomed") for a in agents[:4]]
    url = f"/api/v1/posts/{post_id}/comments"
    writes = [a.post(url, json={"content": "reply", "parent_id": parent["id"]}) for a in agents]
    deletes = [a.delete(f"/api/v1/comments/{c['id']}") for a, c in zip(agents[:4], doomed, strict=True)]
    deletes += [agents[0].delete(f"/api/v1/comments/{doomed[0]['id']}")]  # a duplicate delete
    responses = await asyncio.gather(*writes, *deletes)
    assert [r.status_code for r in responses] == [201] * 12 + [200] * 5
    assert (await post_row(hub, post_id)).comment_count == 1 + 12  # parent + replies; doomed ones gone
    single = (await hub.client.get(f"/api/v1/comments/{parent['id']}")).json()["comment"]
    assert single["reply_count"] == 12


async def test_concurrent_subscribes_count_once_each(hub: Hub) -> None:
    owner = await hub.register()
    await owner.post("/api/v1/submolts", json={"name": "busy"})
    fans = [await hub.register() for _ in range(10)]
    calls = [f.post("/api/v1/submolts/busy/subscribe") for f in fans + fans]  # everyone twice at once
    responses = await asyncio.gather(*calls)
    assert all(r.status_code == 200 for r in responses)
    actions = sorted(r.json()["action"] for r in responses)
    assert actions.count("subscribed") == 10 and actions.count("already_subscribed") == 10
    s = (await hub.client.get("/api/v1/submolts/busy")).json()["submolt"]
    assert s["subscriber_count"] == 11


async def test_concurrent_comments_on_one_post_notify_everyone_exactly(hub: Hub) -> None:
    """The hot-post case (every comment locks the same post, submolt and the author's inbox row
    right before COMMIT): nothing lost, each notification id unique, counters exact, and the
    author's `last_id` is the newest of their notifications."""
    owner, watcher = await hub.register(), await hub.register()
    agents = [await hub.register() for _ in range(10)]
    post_id = await make_post(hub, owner)
    assert (await watcher.post(f"/api/v1/posts/{post_id}/watch")).status_code == 200
    parent = await comment(watcher, post_id, "parent")
    url = f"/api/v1/posts/{post_id}/comments"
    bodies = [
        {"content": f"c{i}"} if i % 2 else {"content": f"r{i}", "parent_id": parent["id"]} for i in range(len(agents))
    ]
    responses = await asyncio.gather(*(a.post(url, json=b) for a, b in zip(agents, bodies, strict=True)))
    assert [r.status_code for r in responses] == [201] * len(agents)
    assert (await post_row(hub, post_id)).comment_count == 1 + len(agents)
    for who, expected in ((owner, 1 + len(agents)), (watcher, len(agents))):  # watcher: reply or thread_update
        box = (await who.get("/api/v1/inbox", params={"limit": 50})).json()
        ids = [i["id"] for i in box["items"]]
        assert len(ids) == len(set(ids)) == expected and box["unread_count"] == box["total"] == expected
        assert box["last_id"] == max(ids)
    kinds = sorted(i["type"] for i in (await watcher.get("/api/v1/inbox", params={"limit": 50})).json()["items"])
    assert kinds == ["reply"] * 5 + ["thread_update"] * 5

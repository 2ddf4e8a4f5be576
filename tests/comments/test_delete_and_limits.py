"""Soft delete, single-comment reads, the comment rate limits and a big thread (spec §6.3, §4)."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import event, insert, select

from agent_hub.agents.models import Agent
from agent_hub.comments.models import Comment
from agent_hub.db.base import new_id, utcnow
from tests.comments.support import comment, make_post, post_row
from tests.conftest import Hub, HubFactory


async def test_get_comment(hub: Hub) -> None:
    me = await hub.register("getter")
    post_id = await make_post(hub, me)
    c = await comment(me, post_id, "findme")
    body = (await hub.client.get(f"/api/v1/comments/{c['id']}")).json()
    assert body["success"] is True
    assert body["comment"]["content"] == "findme" and body["comment"]["author_name"] == "getter"
    assert body["comment"]["author_display_name"] == "getter"
    resp = await hub.client.get("/api/v1/comments/missing")
    assert resp.status_code == 404 and resp.json()["error"] == "Comment not found"


async def test_soft_delete_keeps_replies_and_moves_counters(hub: Hub) -> None:
    me = await hub.register("deleter")
    other = await hub.register("bystander")
    post_id = await make_post(hub, me)
    root = await comment(me, post_id, "secret words")
    reply = await comment(other, post_id, "reply", parent=root["id"])
    assert (await post_row(hub, post_id)).comment_count == 2

    resp = await other.delete(f"/api/v1/comments/{root['id']}")
    assert resp.status_code == 403 and resp.json()["success"] is False
    resp = await hub.client.delete(f"/api/v1/comments/{root['id']}")
    assert resp.status_code == 401
    resp = await me.delete("/api/v1/comments/missing")
    assert resp.status_code == 404

    resp = await me.delete(f"/api/v1/comments/{root['id']}")
    assert resp.status_code == 200
    assert resp.json() == {"success": True, "message": "Comment deleted"}
    single = (await hub.client.get(f"/api/v1/comments/{root['id']}")).json()["comment"]
    assert single["content"] == "[deleted]" and single["is_deleted"] is True and single["updated_at"]
    tree = (await hub.client.get(f"/api/v1/posts/{post_id}/comments")).json()["comments"]
    assert tree[0]["content"] == "[deleted]" and tree[0]["replies"][0]["id"] == reply["id"]
    assert (await post_row(hub, post_id)).comment_count == 1
    assert (await me.get("/api/v1/agents/me")).json()["agent"]["comments_count"] == 0
    # deleting again is harmless and does not decrement twice
    assert (await me.delete(f"/api/v1/comments/{root['id']}")).status_code == 200
    assert (await post_row(hub, post_id)).comment_count == 1


async def test_comment_cooldown_and_daily_remaining(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    me = await hub.register()
    post_id = await make_post(hub, me)
    url = f"/api/v1/posts/{post_id}/comments"
    # a rejected (400) comment must not burn the cooldown slot
    assert (await me.post(url, json={"content": ""})).status_code == 400
    assert (await me.post(url, json={"content": "first"})).status_code == 201
    resp = await me.post(url, json={"content": "second"})
    assert resp.status_code == 429
    body = resp.json()
    assert body["success"] is False and body["code"] == "RATE_LIMITED"
    assert 1 <= body["retry_after_seconds"] <= 60  # new agents: 60 s cooldown
    assert body["daily_remaining"] == 19  # new agents: 20 per day, one used
    assert body["retry_after_minutes"] >= 1 and body["retryAfter"] == body["retry_after_seconds"]
    assert resp.headers["Retry-After"]
    assert (await post_row(hub, post_id)).comment_count == 1


async def test_daily_quota(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    me = await hub.register()
    post_id = await make_post(hub, me)
    # an established agent (older than 24 h): 20 s cooldown, 50 per day
    async with hub.app.state.sessionmaker() as db, db.begin():
        agent = (await db.execute(select(Agent).where(Agent.name == me.name))).scalar_one()
        agent.created_at = utcnow() - timedelta(days=3)
    limiter = hub.app.state.limiter
    limits = hub.app.state.limits
    for _ in range(50):
        await limiter.hit(limits.comments_daily, "agent:" + agent.id)
    resp = await me.post(f"/api/v1/posts/{post_id}/comments", json={"content": "one too many"})
    assert resp.status_code == 429 and resp.json()["daily_remaining"] == 0
    # the refused daily check gave the cooldown slot back
    decision, _ = await limiter.hit(limits.comment_cooldown, "agent:" + agent.id, record=False)
    assert decision.allowed


async def test_six_hundred_comment_thread_is_a_few_queries(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    author_id = (await me.get("/api/v1/agents/me")).json()["agent"]["id"]
    rows = []
    now = utcnow()
    for r in range(60):
        root_id = new_id()
        rows.append(
            dict(
                id=root_id,
                post_id=post_id,
                parent_id=None,
                root_id=root_id,
                author_id=author_id,
                content=f"root {r}",
                depth=0,
                created_at=now + timedelta(microseconds=r),
            )
        )
        parent = root_id
        for d in range(1, 10):
            cid = new_id()
            rows.append(
                dict(
                    id=cid,
                    post_id=post_id,
                    parent_id=parent,
                    root_id=root_id,
                    author_id=author_id,
                    content=f"reply {r}.{d}",
                    depth=d,
                    created_at=now + timedelta(microseconds=r),
                )
            )
            parent = cid
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(insert(Comment), rows)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = hub.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        resp = await me.get(f"/api/v1/posts/{post_id}/comments", params={"limit": 100})
        elapsed = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == 60
    total = 0
    stack = list(body["comments"])
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(node["replies"])
    assert total == 600
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6, selects  # key lookup, post, roots, descendants, votes
    assert elapsed < 2.0

"""Concurrent posts share a statement on PostgreSQL's write lane (posts/batcher.py); a post that
mentions someone, comes from an agent with a ban, or carries an Idempotency-Key is written in
the request's transaction instead. Either way: every request gets its own outcome, counters
equal the rows, each post is watched by its author and queued for search exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from agent_hub import metrics
from agent_hub.agents.models import Agent
from agent_hub.db.base import new_id
from agent_hub.inbox.models import ThreadWatch
from agent_hub.posts.models import Post
from agent_hub.search.models import SearchIndexJob
from agent_hub.submolts.models import Submolt
from tests.conftest import Hub
from tests.posts.helpers import API, make_submolt
from tests.support.batches import batch_counts


async def _facts(hub: Hub, post_ids: list[str]) -> tuple[dict[str, int], dict[str, int], Counter[str], Counter[str]]:
    """(agents' posts_count by name, submolts' post_count by name, watches per post, index jobs per post)."""
    async with hub.app.state.sessionmaker() as db:
        authors = {r[0]: r[1] for r in await db.execute(select(Agent.name, Agent.posts_count))}
        submolts = {r[0]: r[1] for r in await db.execute(select(Submolt.name, Submolt.post_count))}
        watches = Counter(
            (await db.execute(select(ThreadWatch.post_id).where(ThreadWatch.post_id.in_(post_ids)))).scalars().all()
        )
        jobs = Counter(
            (
                await db.execute(
                    select(SearchIndexJob.target_id).where(
                        SearchIndexJob.target_type == "post", SearchIndexJob.target_id.in_(post_ids)
                    )
                )
            )
            .scalars()
            .all()
        )
    return authors, submolts, watches, jobs


async def _live_posts(hub: Hub, submolt: str) -> int:
    async with hub.app.state.sessionmaker() as db:
        stmt = (
            select(func.count())
            .select_from(Post)
            .join(Submolt, Submolt.id == Post.submolt_id)
            .where(Submolt.name == submolt, Post.is_deleted.is_(False))
        )
        return int((await db.execute(stmt)).scalar_one())


async def test_a_burst_of_posts_keeps_every_counter_exact(hub: Hub) -> None:
    """Ten agents, three posts each, in two submolts, plus posts to a submolt that does not
    exist, all at once: the missing submolt is each of those requests' own 404; every author's
    `posts_count` and each submolt's `post_count` equal the rows."""
    agents = [await hub.register() for _ in range(10)]
    await make_submolt(hub, "burst")
    before = batch_counts(metrics.POST_BATCH_SIZE)
    bodies = [
        (a, {"submolt": "burst" if i % 2 else "general", "title": f"post {n} of {a.name}", "content": "body"})
        for n in range(3)
        for i, a in enumerate(agents)
    ] + [(agents[0], {"submolt": "nowhere", "title": "lost"}), (agents[1], {"submolt": "nowhere", "title": "lost"})]
    responses = await asyncio.gather(*(a.post(f"{API}/posts", json=body) for a, body in bodies))
    assert [r.status_code for r in responses] == [201] * 30 + [404, 404]
    assert all(r.json()["error"] == "Submolt not found" and r.json()["success"] is False for r in responses[30:])
    created = [r.json()["post"] for r in responses[:30]]
    ids = [p["id"] for p in created]
    authors, submolts, watches, jobs = await _facts(hub, ids)
    assert all(authors[a.name] == 3 for a in agents)
    assert submolts["burst"] == await _live_posts(hub, "burst") == 15
    assert submolts["general"] == await _live_posts(hub, "general") == 15
    assert watches == Counter({i: 1 for i in ids}) and jobs == Counter({i: 1 for i in ids})
    listed = (await hub.client.get(f"{API}/submolts/burst/feed", params={"sort": "new", "limit": 100})).json()
    assert {p["id"] for p in listed["posts"]} == {p["id"] for p in created if p["submolt"]["name"] == "burst"}
    if hub.app.state.engine.dialect.name == "postgresql":
        statements, posts = (a - b for a, b in zip(batch_counts(metrics.POST_BATCH_SIZE), before, strict=True))
        assert posts == 32 and statements < 32  # statements carried several posts


async def test_posts_written_in_the_request_transaction_follow_the_same_rules(hub: Hub) -> None:
    """A mention (notified) and an Idempotency-Key (replayed, written once) go through the
    request's transaction: same counters, one watch, one job. (A banned agent's posts too:
    tests/owner/test_moderation.py.)"""
    author, mentioned = await hub.register(), await hub.register()
    responses = await asyncio.gather(
        author.post(f"{API}/posts", json={"submolt": "general", "title": f"hello @{mentioned.name}"}),
        author.post(f"{API}/posts", json={"submolt": "general", "title": "keyed"}, headers={"Idempotency-Key": "k-1"}),
        author.post(f"{API}/posts", json={"submolt": "general", "title": "plain"}),
    )
    assert [r.status_code for r in responses] == [201, 201, 201]
    again = await author.post(
        f"{API}/posts", json={"submolt": "general", "title": "keyed"}, headers={"Idempotency-Key": "k-1"}
    )
    assert again.status_code == 201 and again.json()["post"]["id"] == responses[1].json()["post"]["id"]
    ids = [r.json()["post"]["id"] for r in responses]
    authors, submolts, watches, jobs = await _facts(hub, ids)
    assert authors[author.name] == 3 and submolts["general"] == await _live_posts(hub, "general")
    assert watches == Counter({i: 1 for i in ids}) and jobs == Counter({i: 1 for i in ids})
    box = (await mentioned.get(f"{API}/inbox")).json()
    assert [(i["type"], i["post_id"]) for i in box["items"]] == [("mention", ids[0])]


@pytest.mark.postgres_only  # the lane is PostgreSQL's
async def test_a_post_the_database_refuses_fails_alone(hub: Hub) -> None:
    """A batch the database rejects (here: an author that does not exist, a foreign-key error)
    is retried post by post: the others are written, only the culprit fails."""
    alice = await hub.register()
    alice_id = (await alice.get(f"{API}/agents/me")).json()["agent"]["id"]
    batcher = hub.app.state.post_batcher

    def row(author_id: str, title: str) -> Callable[[datetime], dict[str, Any]]:
        post_id = new_id()
        return lambda now: {
            "id": post_id,
            "submolt": "general",
            "author_id": author_id,
            "title": title,
            "content": None,
            "url": None,
            "post_type": "text",
            "hot_score": 0.0,
            "now": now,
        }

    rows = (row(alice_id, "one"), row(new_id(), "ghost"), row(alice_id, "two"))
    results = await asyncio.gather(*(batcher.submit(r, lambda outcome: []) for r in rows), return_exceptions=True)
    assert isinstance(results[1], Exception) and "foreign key" in str(results[1]).lower()
    assert [r.written for r in (results[0], results[2])] == [True, True]  # type: ignore[union-attr]
    authors, submolts, _, _ = await _facts(hub, [])
    assert authors[alice.name] == 2 and submolts["general"] == await _live_posts(hub, "general") == 2

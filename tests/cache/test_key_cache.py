"""Cached key lookups (agents/key_cache.py): a revoked key or a suspended agent is refused by
the very next request, on any replica; of the writes, comment creation and votes (`LightWriter`)
use the cached copy, with the same guarantee."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import update

from agent_hub.agents import key_cache
from agent_hub.agents.key_cache import CachedKey, KeyCache
from agent_hub.agents.models import Agent, ApiKey
from agent_hub.cache.version import View
from agent_hub.db.base import utcnow
from tests.conftest import Actor, Hub, HubFactory

ME = "/api/v1/agents/me"


async def test_revocation_and_suspension_reach_every_replica(make_hub: HubFactory, redis_url: str) -> None:
    a = await make_hub(redis_url=redis_url)
    b = await make_hub(redis_url=redis_url)
    agent = await a.register()
    other = await a.register()
    for _ in range(2):  # the second request is served from b's key cache
        assert (await b.client.get(ME, headers=agent.headers)).status_code == 200
        assert (await b.client.get(ME, headers=other.headers)).status_code == 200
    agent_id = (await b.client.get(ME, headers=agent.headers)).json()["agent"]["id"]
    async with a.app.state.sessionmaker() as db, db.begin():  # what the owner's revoke does, on a
        await db.execute(update(ApiKey).where(ApiKey.agent_id == agent_id).values(revoked_at=utcnow()))
    assert (await b.client.get(ME, headers=agent.headers)).status_code == 401
    async with a.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(Agent).where(Agent.name == other.name).values(status="suspended"))
    assert (await b.client.get(ME, headers=other.headers)).status_code == 401


async def test_profile_changes_show_at_once(make_hub: HubFactory, redis_url: str) -> None:
    a = await make_hub(redis_url=redis_url)
    b = await make_hub(redis_url=redis_url)
    agent = await a.register()
    assert (await b.client.get(ME, headers=agent.headers)).json()["agent"]["description"] == ""
    assert (await a.client.patch(ME, headers=agent.headers, json={"description": "new"})).status_code == 200
    assert (await b.client.get(ME, headers=agent.headers)).json()["agent"]["description"] == "new"


async def test_concurrent_requests_racing_over_a_stale_entry(make_hub: HubFactory, redis_url: str) -> None:
    """Many requests find the same entry, await the versions, and the first drops it as stale:
    the others must fall back to the database, not fail (a KeyError here once answered 500)."""
    hub = await make_hub(redis_url=redis_url)
    agent = await hub.register()
    assert (await hub.client.get(ME, headers=agent.headers)).status_code == 200  # cached
    for round_ in range(3):
        assert (
            await hub.client.patch(ME, headers=agent.headers, json={"description": f"r{round_}"})
        ).status_code == 200
        replies = await asyncio.gather(*(hub.client.get(ME, headers=agent.headers) for _ in range(40)))
        assert {r.status_code for r in replies} == {200}
        assert {r.json()["agent"]["description"] for r in replies} == {f"r{round_}"}


async def test_lookup_survives_an_entry_dropped_while_it_waited(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic form of the race above: the entry goes while lookup awaits the versions."""
    cache = KeyCache(max_age_seconds=60)
    gate = asyncio.Event()

    async def versions_after_gate(request: Any, tags: Any) -> View:
        await gate.wait()
        return View("e", 1, {"auth": 1})

    monkeypatch.setattr(key_cache, "versions", versions_after_gate)
    cache._entries["h"] = CachedKey("key-id", "h", {"id": "a"}, version=("e", 1), born=time.monotonic())
    request = SimpleNamespace(method="GET")
    waiting = asyncio.ensure_future(cache.lookup(request, "h"))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    del cache._entries["h"]  # another request dropped it (stale for its versions, or evicted)
    gate.set()
    assert await waiting is None


async def test_comment_writes_use_the_cache_and_still_see_revocation(make_hub: HubFactory, redis_url: str) -> None:
    """A comment's key lookup may come from the cache; a key revoked on another replica is
    refused by the next comment; the commenter's counters on /agents/me are never stale (the
    comment does not replace the auth version), and its activity is still recorded."""
    from tests.comments.support import make_post

    a = await make_hub(redis_url=redis_url)
    b = await make_hub(redis_url=redis_url)
    author, agent = await a.register(), await a.register()
    post_id = await make_post(a, author)
    url = f"/api/v1/posts/{post_id}/comments"
    agent_id = (await b.client.get(ME, headers=agent.headers)).json()["agent"]["id"]
    async with a.app.state.sessionmaker() as db, db.begin():  # long inactive: the next request records it
        await db.execute(update(Agent).where(Agent.id == agent_id).values(last_active=utcnow().replace(year=2020)))
    assert (await b.client.post(url, json={"content": "n0"}, headers=agent.headers)).status_code == 201
    await asyncio.sleep(0.05)  # the activity touch runs after the response
    versions = await b.app.state.cache_versions.read(["auth"])
    for i in (1, 2):
        assert (await b.client.post(url, json={"content": f"n{i}"}, headers=agent.headers)).status_code == 201
    if b.app.state.engine.dialect.name == "postgresql":  # one statement that declares its tables
        now = await b.app.state.cache_versions.read(["auth"])
        assert now.tags["auth"] == versions.tags["auth"]  # cached keys survive
    me = (await b.client.get(ME, headers=agent.headers)).json()["agent"]
    assert me["stats"]["comments"] == me["comments_count"] == 3
    assert me["last_active"] is not None and not me["last_active"].startswith("2020")
    async with a.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(ApiKey).where(ApiKey.agent_id == agent_id).values(revoked_at=utcnow()))
    refused = await b.client.post(url, json={"content": "after revocation"}, headers=agent.headers)
    assert refused.status_code == 401
    listed = (await a.client.get(url, params={"sort": "old"})).json()["comments"]
    assert [c["content"] for c in listed] == ["n0", "n1", "n2"]


async def _two_cached_agents_and_a_post(make_hub: HubFactory, redis_url: str) -> tuple[Hub, Actor, Actor, str]:
    """A hub on Valkey, an author with a post and another agent, both keys cached and both
    activity touches done (so nothing but the write under test bumps a version)."""
    from tests.comments.support import make_post

    hub = await make_hub(redis_url=redis_url)
    author, other = await hub.register(), await hub.register()
    post_id = await make_post(hub, author)
    for actor in (author, other, author, other):
        assert (await hub.client.get("/api/v1/home", headers=actor.headers)).status_code == 200
    await asyncio.sleep(0.05)
    return hub, author, other, post_id


async def test_counter_writes_keep_every_cached_key_but_their_agents(make_hub: HubFactory, redis_url: str) -> None:
    """A vote's karma (like a post's, a follow's or a subscription's counters) does not replace
    the auth version, so no other agent's cached key is dropped; the author's own cached copy
    is dropped by the author's tag, so the author's next read shows the new karma at once."""
    hub, author, voter, post_id = await _two_cached_agents_and_a_post(make_hub, redis_url)
    before = await hub.app.state.cache_versions.read(["auth"])
    assert (await hub.client.post(f"/api/v1/posts/{post_id}/upvote", headers=voter.headers)).status_code == 200
    home = (await hub.client.get("/api/v1/home", headers=author.headers)).json()
    assert home["your_account"]["karma"] == 1
    after = await hub.app.state.cache_versions.read(["auth"])
    assert after.tags["auth"] == before.tags["auth"]


async def test_comments_in_the_session_keep_every_cached_key(make_hub: HubFactory, redis_url: str) -> None:
    """A comment written in the request's session (SQLite; an Idempotency-Key on PostgreSQL)
    moves its author's comments_count, which no cached key shows: the auth version stays."""
    hub, _author, commenter, post_id = await _two_cached_agents_and_a_post(make_hub, redis_url)
    before = await hub.app.state.cache_versions.read(["auth"])
    made = await hub.client.post(
        f"/api/v1/posts/{post_id}/comments",
        headers={**commenter.headers, "Idempotency-Key": "comment-in-session-1"},
        json={"content": "in the session"},
    )
    assert made.status_code == 201, made.text
    comment_id = made.json()["comment"]["id"]
    deleted = await hub.client.delete(f"/api/v1/comments/{comment_id}", headers=commenter.headers)
    assert deleted.status_code == 200, deleted.text
    after = await hub.app.state.cache_versions.read(["auth"])
    assert after.tags["auth"] == before.tags["auth"]

"""Cached key lookups (agents/key_cache.py): a revoked key or a suspended agent is refused by
the very next request, on any replica; writes never use the cached copy."""

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
from agent_hub.cache.version import Now
from agent_hub.db.base import utcnow
from tests.conftest import HubFactory

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
        assert (await hub.client.patch(ME, headers=agent.headers, json={"description": f"r{round_}"})).status_code == 200
        replies = await asyncio.gather(*(hub.client.get(ME, headers=agent.headers) for _ in range(40)))
        assert {r.status_code for r in replies} == {200}
        assert {r.json()["agent"]["description"] for r in replies} == {f"r{round_}"}


async def test_lookup_survives_an_entry_dropped_while_it_waited(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic form of the race above: the entry goes while lookup awaits the versions."""
    cache = KeyCache(max_age_seconds=60)
    gate = asyncio.Event()

    async def versions_after_gate(request: Any) -> Now:
        await gate.wait()
        return Now(content=1, auth=1, inbox=1)

    monkeypatch.setattr(key_cache, "versions_now", versions_after_gate)
    cache._entries["h"] = CachedKey("key-id", "h", {"id": "a"}, version=1, born=time.monotonic())
    request = SimpleNamespace(method="GET")
    waiting = asyncio.ensure_future(cache.lookup(request, "h"))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    del cache._entries["h"]  # another request dropped it (stale for its versions, or evicted)
    gate.set()
    assert await waiting is None

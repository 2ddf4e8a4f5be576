"""The post cooldown (spec §4): 1 post per 30 min (2 h for agents younger than 24 h), the 429
superset (§3.3), and atomicity: two simultaneous posts give exactly one 201, in process and
through Redis (shared by replicas)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from tests.conftest import REDIS_URL, Hub, HubFactory, unavailable
from tests.posts.helpers import API
from tests.support import db as dbsupport

LimitedHub = Callable[[], Awaitable[Hub]]


@pytest.fixture(params=["memory", "redis"])
async def limited_hub(request: pytest.FixtureRequest, make_hub: HubFactory) -> AsyncIterator[LimitedHub]:
    """A hub with the live limits, seen from its own client IP so the per-IP ceiling and every
    Redis key are unique to this test (no flushing of the shared Redis)."""
    clients: list[httpx.AsyncClient] = []

    async def factory() -> Hub:
        overrides = {"rate_limits": "moltbook"}
        if request.param == "redis":
            if not await dbsupport.redis_available(REDIS_URL):
                unavailable("Redis at " + REDIS_URL)
            overrides["redis_url"] = REDIS_URL
        base = await make_hub(**overrides)
        ip = f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=base.app, client=(ip, 40000)), base_url="http://testserver"
        )
        clients.append(client)
        return Hub(base.app, client)

    yield factory
    for client in clients:
        await client.aclose()


async def test_second_post_is_429_with_every_retry_field(limited_hub: LimitedHub) -> None:
    hub = await limited_hub()
    me = await hub.register()
    first = await me.post(f"{API}/posts", json={"submolt": "general", "title": "one"})
    assert first.status_code == 201
    second = await me.post(f"{API}/posts", json={"submolt": "general", "title": "two"})
    assert second.status_code == 429
    body = second.json()
    assert body["success"] is False and body["code"] == "RATE_LIMITED"
    assert body["error"] == "New agents can only post once every 2 hours"
    assert 110 <= body["retry_after_minutes"] <= 120
    assert body["retry_after_seconds"] == body["retryAfter"] > 7000
    assert int(second.headers["Retry-After"]) == body["retry_after_seconds"]
    assert "minutes" in body["hint"]


async def test_established_agents_get_the_30_minute_cooldown(limited_hub: LimitedHub) -> None:
    hub = await limited_hub()
    me = await hub.register()
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(Agent).where(Agent.name == me.name).values(created_at=utcnow() - timedelta(days=2)))
    assert (await me.post(f"{API}/posts", json={"submolt": "general", "title": "one"})).status_code == 201
    second = await me.post(f"{API}/posts", json={"submolt": "general", "title": "two"})
    assert second.status_code == 429
    assert second.json()["error"] == "You can only post once every 30 minutes"
    assert 25 <= second.json()["retry_after_minutes"] <= 30


async def test_invalid_post_does_not_burn_the_slot(limited_hub: LimitedHub) -> None:
    hub = await limited_hub()
    me = await hub.register()
    assert (await me.post(f"{API}/posts", json={"submolt": "general"})).status_code == 400
    assert (await me.post(f"{API}/posts", json={"submolt": "nowhere", "title": "t"})).status_code == 404
    assert (await me.post(f"{API}/posts", json={"submolt": "general", "title": "ok"})).status_code == 201


async def test_two_simultaneous_posts_exactly_one_wins(limited_hub: LimitedHub) -> None:
    hub = await limited_hub()
    me = await hub.register()
    responses = await asyncio.gather(
        *(me.post(f"{API}/posts", json={"submolt": "general", "title": f"race {i}"}) for i in range(2))
    )
    assert sorted(r.status_code for r in responses) == [201, 429]
    listed = await me.get(f"{API}/posts", params={"author": me.name})
    assert listed.json()["count"] == 1
    assert (await me.get(f"{API}/agents/me")).json()["agent"]["posts_count"] == 1


async def test_replicas_share_the_cooldown_through_redis(make_hub: HubFactory, redis_url: str) -> None:
    first = await make_hub(rate_limits="relaxed", redis_url=redis_url)
    second = await make_hub(rate_limits="relaxed", redis_url=redis_url)
    me = await first.register()
    rule_limit = first.app.state.limits.posts_new_agent.limit
    results = await asyncio.gather(
        *(
            (first if i % 2 else second).client.post(
                f"{API}/posts", json={"submolt": "general", "title": f"p{i}"}, headers=me.headers
            )
            for i in range(rule_limit + 3)
        )
    )
    assert sorted(r.status_code for r in results).count(201) == rule_limit
    assert sum(r.status_code == 429 for r in results) == 3

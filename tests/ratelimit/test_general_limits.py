"""General per-key limits, their headers and 429 bodies; in process and in Redis (spec §3.3, §4)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from agent_hub.ratelimit import RateLimiter, Rule
from tests.conftest import Hub, HubFactory

RETRY_FIELDS = ("retry_after_seconds", "retry_after_minutes", "retryAfter", "retryAfterMinutes", "reset_at")


async def test_headers_on_every_api_response(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    for resp in (await hub.client.get("/api/v1/health"), await hub.client.get("/api/v1/agents/profile?name=x")):
        assert resp.headers["X-RateLimit-Limit"] == "60"
        assert int(resp.headers["X-RateLimit-Remaining"]) < 60
        assert int(resp.headers["X-RateLimit-Reset"]) > 0


async def test_reads_limited_per_key_with_superset_body(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    me = await hub.register("reader")
    other = await hub.register("other_reader")
    for _ in range(60):
        assert (await me.get("/api/v1/agents/me")).status_code == 200
    resp = await me.get("/api/v1/agents/me")
    assert resp.status_code == 429
    body = resp.json()
    assert body["success"] is False and body["code"] == "RATE_LIMITED" and body["error"]
    for field in RETRY_FIELDS:
        assert field in body
    assert int(resp.headers["Retry-After"]) >= 1
    assert resp.headers["X-RateLimit-Remaining"] == "0"
    # another key is counted separately
    assert (await other.get("/api/v1/agents/me")).status_code == 200


async def test_writes_have_their_own_budget(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    me = await hub.register("writer")
    await hub.register("target")
    for i in range(30):
        resp = await me.post("/api/v1/agents/target/follow")
        assert resp.status_code == 200, (i, resp.text)
    assert (await me.post("/api/v1/agents/target/follow")).status_code == 429
    assert (await me.get("/api/v1/agents/me")).status_code == 200  # reads unaffected


async def test_per_ip_ceiling_on_api(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    # anonymous reads are keyed by IP; the ceiling is 100/min per IP across keys
    statuses = [(await hub.client.get("/api/v1/health")).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


async def test_off_profile_has_no_limits(hub: Hub) -> None:
    me = await hub.register("unlimited")
    for _ in range(70):
        assert (await me.get("/api/v1/agents/me")).status_code == 200


async def test_redis_limiter_is_atomic_and_shared(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}:"
    try:
        a, b = RateLimiter(client, prefix=prefix), RateLimiter(client, prefix=prefix)
        rule = Rule("posts", 1, 1800)
        results = await asyncio.gather(*[(a if i % 2 else b).hit(rule, "agent:1") for i in range(20)])
        assert sum(1 for decision, _ in results if decision.allowed) == 1
        denied = next(d for d, _ in results if not d.allowed)
        assert 1700 < denied.retry_after <= 1800.0
        # undo gives the slot back
        token = next(t for d, t in results if d.allowed)
        await a.undo(token)
        assert (await b.hit(rule, "agent:1"))[0].allowed
    finally:
        async for key in client.scan_iter(match=prefix + "*"):
            await client.delete(key)
        await client.aclose()


async def test_memory_limiter_is_atomic() -> None:
    limiter = RateLimiter()
    rule = Rule("posts", 1, 60)
    results = await asyncio.gather(*[limiter.hit(rule, "s") for _ in range(10)])
    assert sum(1 for d, _ in results if d.allowed) == 1


@pytest.mark.parametrize("profile", ["moltbook", "relaxed", "off"])
def test_profiles_exist(profile: str) -> None:
    from agent_hub.ratelimit import PROFILES

    assert profile in PROFILES


async def test_two_instances_share_limits_through_redis(make_hub: HubFactory, redis_url: str) -> None:
    hub1 = await make_hub(rate_limits="moltbook", redis_url=redis_url)
    hub2 = await make_hub(rate_limits="moltbook", redis_url=redis_url)
    await hub1.app.state.limiter.reset()
    me = await hub1.register(f"shared_{uuid.uuid4().hex[:6]}")
    key_headers = me.headers
    ok = 0
    for i in range(60):
        client = hub1.client if i % 2 else hub2.client
        ok += (await client.get("/api/v1/agents/me", headers=key_headers)).status_code == 200
    assert ok == 60
    assert (await hub2.client.get("/api/v1/agents/me", headers=key_headers)).status_code == 429
    await hub1.app.state.limiter.reset()

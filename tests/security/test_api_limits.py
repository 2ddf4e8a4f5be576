"""SECURITY rows 1 and 27 on the general API: per-key limits and the per-IP ceiling
(`ip_api`, 100/min) on /api/*, both answering 429 with Retry-After."""

from __future__ import annotations

from tests.auth.support import FAST
from tests.conftest import HubFactory


async def test_key_over_its_limit_gets_429(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, rate_limits="moltbook")
    agent = await hub.register("reader")
    statuses = [(await agent.get("/api/v1/agents/me")).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


async def test_per_ip_ceiling_across_keys(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, rate_limits="moltbook")
    agents = [await hub.register(f"reader{i}") for i in range(2)]  # 2 of the 100
    statuses = []
    for i in range(99):
        statuses.append((await agents[i % 2].get("/api/v1/agents/me")).status_code)
    assert set(statuses[:98]) == {200}
    resp = await agents[0].get("/api/v1/agents/me")
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    assert resp.json()["code"] == "RATE_LIMITED"

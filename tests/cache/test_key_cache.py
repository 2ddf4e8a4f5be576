"""Cached key lookups (agents/key_cache.py): a revoked key or a suspended agent is refused by
the very next request, on any replica; writes never use the cached copy."""

from __future__ import annotations

from sqlalchemy import update

from agent_hub.agents.models import Agent, ApiKey
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

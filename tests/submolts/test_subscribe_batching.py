"""Subscribes and unsubscribes at once: on PostgreSQL they share statements on the write lane
(submolts/subscribe_sql.py), on SQLite they run one after another. Either way every request
gets its own answer and the counters equal the rows."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from agent_hub.agents.models import Agent
from agent_hub.submolts.models import Submolt, Subscription
from tests.conftest import Hub
from tests.posts.helpers import API, make_submolt


async def _counts(hub: Hub, submolt: str) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(the submolt's subscriber_count, its subscription rows, per agent name: (subscriptions_count, rows))."""
    async with hub.app.state.sessionmaker() as db:
        sub_id, counter = (
            await db.execute(select(Submolt.id, Submolt.subscriber_count).where(Submolt.name == submolt))
        ).one()
        rows = (await db.execute(select(func.count()).where(Subscription.submolt_id == sub_id))).scalar_one()
        per_agent = {}
        for name, agent_id, count in await db.execute(select(Agent.name, Agent.id, Agent.subscriptions_count)):
            mine = (await db.execute(select(func.count()).where(Subscription.agent_id == agent_id))).scalar_one()
            per_agent[name] = (count, mine)
    return counter, rows, per_agent


async def test_a_burst_of_subscribes_keeps_the_counters_exact(hub: Hub) -> None:
    """Twenty agents subscribe to one submolt at once, five of them also unsubscribe and
    subscribe again in the same burst, two ask for a submolt that does not exist."""
    await make_submolt(hub, "crowd")
    agents = [await hub.register() for _ in range(20)]
    calls = [(a, "POST", "crowd") for a in agents]
    calls += [(a, m, "crowd") for a in agents[:5] for m in ("DELETE", "POST")]
    calls += [(agents[0], "POST", "nowhere"), (agents[1], "DELETE", "nowhere")]
    responses = await asyncio.gather(*(a.request(m, f"{API}/submolts/{s}/subscribe") for a, m, s in calls))
    assert [r.status_code for r in responses] == [200] * 30 + [404, 404]
    assert all(r.json()["error"] == "Submolt not found" for r in responses[30:])
    actions = [r.json()["action"] for r in responses[:30]]
    assert set(actions) <= {"subscribed", "already_subscribed", "unsubscribed", "not_subscribed"}
    counter, rows, per_agent = await _counts(hub, "crowd")
    # The five agents' three calls may be taken in any order; every change answered "subscribed"
    # or "unsubscribed" happened exactly once, and the counters equal the rows.
    assert counter == rows == actions.count("subscribed") - actions.count("unsubscribed")
    assert rows >= 15 and all(per_agent[a.name][0] == per_agent[a.name][1] for a in agents)
    assert all(per_agent[a.name] == (1, 1) for a in agents[5:])


async def test_unsubscribe_then_subscribe_again_moves_the_counters_both_ways(hub: Hub) -> None:
    await make_submolt(hub, "flip")
    me = await hub.register()
    url = f"{API}/submolts/flip/subscribe"
    steps = [("POST", "subscribed"), ("POST", "already_subscribed"), ("DELETE", "unsubscribed")]
    steps += [("DELETE", "not_subscribed"), ("POST", "subscribed")]
    for method, action in steps:
        resp = await me.request(method, url)
        assert resp.status_code == 200 and resp.json()["action"] == action
    counter, rows, per_agent = await _counts(hub, "flip")
    assert counter == rows == 1 and per_agent[me.name] == (1, 1)
    assert (await me.get(f"{API}/submolts/flip")).json()["is_subscribed"] is True

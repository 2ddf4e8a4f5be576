"""Follows at once: on PostgreSQL they share a transaction on the write lane with the followees'
notifications (agents/follow_sql.py), on SQLite they run one after another. Either way every
request gets its own answer, the counters equal the rows and each new follow notifies once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from agent_hub.agents.models import Agent, Follow
from tests.conftest import Hub

API = "/api/v1"


async def _counters(hub: Hub, name: str) -> tuple[int, int, int, int]:
    """(follower_count, follow rows to them, following_count, follow rows from them)."""
    async with hub.app.state.sessionmaker() as db:
        agent_id, followers, following = (
            await db.execute(select(Agent.id, Agent.follower_count, Agent.following_count).where(Agent.name == name))
        ).one()
        to_them = (await db.execute(select(func.count()).where(Follow.followee_id == agent_id))).scalar_one()
        from_them = (await db.execute(select(func.count()).where(Follow.follower_id == agent_id))).scalar_one()
    return followers, to_them, following, from_them


async def test_many_agents_follow_one_at_once(hub: Hub) -> None:
    """Twenty agents follow one agent at once (four of them twice, one tries itself, one an agent
    that does not exist): each new follow is one notification with exact inbox counters."""
    star = await hub.register()
    fans = [await hub.register() for _ in range(20)]
    calls = [(f, f"{API}/agents/{star.name}/follow") for f in fans]
    calls += [(f, f"{API}/agents/{star.name.upper()}/follow") for f in fans[:4]]
    calls += [(star, f"{API}/agents/{star.name}/follow"), (fans[0], f"{API}/agents/nobody_here/follow")]
    responses = await asyncio.gather(*(a.post(url) for a, url in calls))
    assert [r.status_code for r in responses] == [200] * 24 + [400, 404]
    assert responses[24].json()["error"] == "Cannot follow yourself"
    assert responses[25].json()["error"] == "Agent not found"
    actions = [r.json()["action"] for r in responses[:24]]
    assert actions.count("followed") == 20 and actions.count("already_following") == 4
    assert await _counters(hub, star.name) == (20, 20, 0, 0)
    assert [(await _counters(hub, f.name))[2:] for f in fans] == [(1, 1)] * 20
    box = (await star.get(f"{API}/inbox", params={"limit": 50})).json()
    ids = [i["id"] for i in box["items"]]
    assert len(ids) == len(set(ids)) == 20 and box["unread_count"] == 20 and box["last_id"] == max(ids)
    assert {i["from"]["name"] for i in box["items"]} == {f.name for f in fans}
    assert all(i["type"] == "follow" for i in box["items"])


async def test_follow_and_unfollow_race_stays_exact(hub: Hub) -> None:
    """Each of ten agents follows, unfollows and follows again at once: whatever order the
    engine takes them in, every change answered happened once and the counters equal the rows."""
    star = await hub.register()
    fans = [await hub.register() for _ in range(10)]
    url = f"{API}/agents/{star.name}/follow"
    calls = [(f, m) for f in fans for m in ("POST", "DELETE", "POST")]
    responses = await asyncio.gather(*(f.request(m, url) for f, m in calls))
    assert all(r.status_code == 200 for r in responses)
    actions = [r.json()["action"] for r in responses]
    followers, rows, _, _ = await _counters(hub, star.name)
    assert followers == rows == actions.count("followed") - actions.count("unfollowed")
    box = (await star.get(f"{API}/inbox", params={"limit": 50})).json()
    assert box["unread_count"] == len(box["items"]) == actions.count("followed")
    for f in fans:
        assert (await f.delete(url)).status_code == 200
    assert await _counters(hub, star.name) == (0, 0, 0, 0)

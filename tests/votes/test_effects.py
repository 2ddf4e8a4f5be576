"""A vote's effects on its author (karma, the upvote notification) are folded after its commit
(on PostgreSQL's write lane, in the background); what a crash left unfolded is folded by the sweep."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, insert, select

from agent_hub.agents.models import Agent
from agent_hub.common.combine import Combiner
from agent_hub.db.base import utcnow
from agent_hub.votes import service
from agent_hub.votes.models import VoteEffect
from tests.conftest import Hub
from tests.posts.helpers import API, new_post


async def test_a_vote_is_folded_by_itself_right_after_it_is_acknowledged(hub: Hub) -> None:
    """The effects are committed with the vote and folded without anyone asking: before the
    answer in a session (SQLite), in the background just after it on PostgreSQL's write lane.
    The database is read directly here, so the test client's wait for folds does not apply."""
    author, voter = await hub.register(), await hub.register()
    post = (await new_post(author))["id"]
    assert (await voter.post(f"{API}/posts/{post}/upvote")).status_code == 200
    lane = hub.app.state.engine.dialect.name == "postgresql"
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        async with hub.app.state.sessionmaker() as db:
            left = (await db.execute(select(func.count()).select_from(VoteEffect))).scalar_one()
        if left == 0:
            break
        assert lane and asyncio.get_running_loop().time() < deadline, f"{left} effect(s) never folded"
        await asyncio.sleep(0.005)
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == 1
    items = (await author.get(f"{API}/inbox")).json()["items"]
    assert [(i["type"], i["post_id"], i["count"], i["from"]["name"]) for i in items] == [
        ("upvote", post, 1, voter.name)
    ]


async def test_the_sweep_folds_what_a_crash_left(hub: Hub) -> None:
    author, voter = await hub.register(), await hub.register()
    post = (await new_post(author))["id"]
    async with hub.app.state.sessionmaker() as db, db.begin():
        ids = dict((await db.execute(select(Agent.name, Agent.id))).all())
        old = utcnow() - service.STALE_AFTER - timedelta(seconds=1)
        rows = [
            {"author_id": ids[author.name], "karma": 1, "voter_id": ids[voter.name], "post_id": post},
            {"author_id": ids[author.name], "karma": 1, "voter_id": ids[voter.name], "post_id": post},
            {"author_id": ids[author.name], "karma": -1, "voter_id": None, "post_id": None},
        ]
        await db.execute(insert(VoteEffect).values([{**r, "comment_id": None, "created_at": old} for r in rows]))
        fresh = {"author_id": ids[voter.name], "karma": 1, "voter_id": None, "post_id": None, "comment_id": None}
        await db.execute(insert(VoteEffect).values(**fresh))  # its own fold may still be on its way
    assert await service.fold_stale(hub.app.state.sessionmaker) == 3
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == 1
    items = (await author.get(f"{API}/inbox")).json()["items"]
    assert [(i["type"], i["count"]) for i in items] == [("upvote", 2)]
    assert await service.fold_stale(hub.app.state.sessionmaker) == 0
    assert (await voter.get(f"{API}/agents/me")).json()["agent"]["karma"] == 0


async def test_concurrent_callers_share_runs_that_start_after_them() -> None:
    combiner = Combiner()
    runs: list[int] = []
    gate, started = asyncio.Event(), asyncio.Event()

    async def work() -> None:
        runs.append(len(runs))
        started.set()
        await gate.wait()

    first = asyncio.create_task(combiner.run("k", work))
    await started.wait()
    later = [asyncio.create_task(combiner.run("k", work)) for _ in range(5)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert runs == [0]  # they wait for the next run, which starts when the first ends
    gate.set()
    await asyncio.gather(first, *later)
    assert runs == [0, 1]


async def test_a_failed_run_fails_its_callers_only() -> None:
    combiner = Combiner()
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("first run fails")

    results = await asyncio.gather(combiner.run("k", flaky), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    await combiner.run("k", flaky)
    assert calls == 2

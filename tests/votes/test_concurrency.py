"""Concurrent votes never lose an update (real PostgreSQL, real concurrent transactions).

SQLite serialises writers with BEGIN IMMEDIATE, so the race only exists on PostgreSQL; there the
target row lock (target -> vote -> author) is what keeps these counts exact.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from agent_hub.comments.models import Comment
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import hot_score
from agent_hub.votes.models import VoteEffect
from agent_hub.votes.service import MAX_AUTHORS
from tests.conftest import Actor, Hub, HubFactory
from tests.posts.helpers import API, db_row, new_post

# SQLite serialises writers; the race only exists on PostgreSQL.
pytestmark = pytest.mark.postgres_only


async def test_forty_concurrent_voters(hub: Hub) -> None:
    author = await hub.register()
    voters = [await hub.register() for _ in range(40)]
    post = (await new_post(author))["id"]
    directions = ["upvote" if i % 4 else "downvote" for i in range(40)]  # 30 up, 10 down
    responses = await asyncio.gather(
        *(v.post(f"{API}/posts/{post}/{d}") for v, d in zip(voters, directions, strict=True))
    )
    assert [r.status_code for r in responses] == [200] * 40
    row = await db_row(hub, Post, post)
    assert (row.upvotes, row.downvotes, row.score) == (30, 10, 20)
    assert abs(row.hot_score - hot_score(20, row.created_at)) < 1e-9
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == 20
    # and all of them again at once: every vote toggles off
    responses = await asyncio.gather(
        *(v.post(f"{API}/posts/{post}/{d}") for v, d in zip(voters, directions, strict=True))
    )
    assert {r.json()["action"] for r in responses} == {"removed"}
    row = await db_row(hub, Post, post)
    assert (row.upvotes, row.downvotes, row.score) == (0, 0, 0)
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == 0


async def test_one_agent_toggling_concurrently(hub: Hub) -> None:
    author, voter = await hub.register(), await hub.register()
    post = (await new_post(author))["id"]
    for rounds in (7, 8):
        responses = await asyncio.gather(*(voter.post(f"{API}/posts/{post}/upvote") for _ in range(rounds)))
        assert [r.status_code for r in responses] == [200] * rounds
        actions = sorted(r.json()["action"] for r in responses)
        row = await db_row(hub, Post, post)
        # serialised toggles alternate, so the outcome depends only on the parity
        assert (row.upvotes, row.score) == ((1, 1) if rounds % 2 else (0, 0)), actions
        assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == row.score
        if rounds % 2:  # leave no vote for the next round
            await voter.post(f"{API}/posts/{post}/upvote")
    mixed = await asyncio.gather(
        *(voter.post(f"{API}/posts/{post}/{'upvote' if i % 2 else 'downvote'}") for i in range(10))
    )
    assert all(r.status_code == 200 for r in mixed)
    row = await db_row(hub, Post, post)
    final = (await voter.get(f"{API}/posts/{post}")).json()["post"]["userVote"]
    assert row.score == (final or 0) and row.upvotes + row.downvotes == (1 if final else 0)
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == row.score


async def test_concurrent_comment_votes(hub: Hub) -> None:
    author = await hub.register()
    voters = [await hub.register() for _ in range(20)]
    post = (await new_post(author))["id"]
    comment = (await author.post(f"{API}/posts/{post}/comments", json={"content": "c"})).json()["comment"]["id"]
    responses = await asyncio.gather(
        *(v.post(f"{API}/comments/{comment}/{'upvote' if i % 5 else 'downvote'}") for i, v in enumerate(voters))
    )
    assert all(r.status_code == 200 for r in responses)
    row = await db_row(hub, Comment, comment)
    assert (row.upvotes, row.downvotes, row.score) == (16, 4, 12)
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == 12


async def test_concurrent_upvotes_notify_the_author_once_each(hub: Hub) -> None:
    """Upvotes on one author's posts from many voters at once: the author's karma is the sum, and
    each post's one unread upvote notification counts every upvote exactly once (the votes'
    effects are folded after their commits, many per fold)."""
    author = await hub.register()
    voters = [await hub.register() for _ in range(30)]
    posts = [(await new_post(author, title=f"p{i}"))["id"] for i in range(3)]
    responses = await asyncio.gather(*(v.post(f"{API}/posts/{posts[i % 3]}/upvote") for i, v in enumerate(voters)))
    assert [r.status_code for r in responses] == [200] * 30
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == 30
    inbox = (await author.get(f"{API}/inbox", params={"limit": 50})).json()
    upvotes = [i for i in inbox["items"] if i["type"] == "upvote"]
    assert sorted((i["post_id"], i["count"]) for i in upvotes) == sorted((p, 10) for p in posts)
    assert inbox["unread_count"] == 3


async def test_votes_on_many_authors_fold_exactly(hub: Hub) -> None:
    """Upvotes and downvotes on the posts and comments of more authors than one fold run carries
    (`MAX_AUTHORS`), all at once: every author's karma is the sum of the votes on their content,
    each target's one unread upvote notification counts its upvotes, and no effect is left."""
    authors = [await hub.register() for _ in range(MAX_AUTHORS + 4)]
    voters = [await hub.register() for _ in range(6)]
    posts = [(await new_post(a, title=f"p {a.name}"))["id"] for a in authors]
    comments = []
    for a, p in zip(authors, posts, strict=True):
        made = await a.post(f"{API}/posts/{p}/comments", json={"content": "mine"})
        comments.append(made.json()["comment"]["id"])
    calls = [(v, f"{API}/posts/{p}/upvote") for v in voters for p in posts]
    calls += [
        (v, f"{API}/comments/{c}/{'downvote' if j % 3 == 0 else 'upvote'}")
        for j, v in enumerate(voters)
        for c in comments
    ]
    responses = await asyncio.gather(*(v.post(url) for v, url in calls))
    assert [r.status_code for r in responses] == [200] * len(calls)
    comment_score = sum(-1 if j % 3 == 0 else 1 for j in range(len(voters)))  # per comment: 4 up, 2 down
    comment_ups = sum(1 for j in range(len(voters)) if j % 3)
    for author, post, comment_id in zip(authors, posts, comments, strict=True):
        assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == len(voters) + comment_score
        box = (await author.get(f"{API}/inbox", params={"limit": 50})).json()
        counts = {(i.get("comment_id") or i["post_id"]): i["count"] for i in box["items"] if i["type"] == "upvote"}
        assert counts == {post: len(voters), comment_id: comment_ups}
    async with hub.app.state.sessionmaker() as db:
        assert (await db.execute(select(func.count()).select_from(VoteEffect))).scalar_one() == 0


async def test_two_replicas_batching_votes_on_the_same_targets(make_hub: HubFactory) -> None:
    """Two app instances (two replicas, each with its own vote batchers) take the same voters'
    votes on the same posts at once, every voter toggling twice through each replica: a vote
    row another replica moved between a batch's read and its write is decided again, so
    counters equal the vote rows, the hot rank matches the score, and karma equals the sum."""
    one, two = await make_hub(), await make_hub()
    author = await one.register()
    voters = [await one.register() for _ in range(12)]
    posts = [(await new_post(author))["id"] for _ in range(3)]
    elsewhere = [Actor(two, v.name, v.headers["Authorization"].removeprefix("Bearer "), v.registration) for v in voters]
    calls = [
        client.post(f"{API}/posts/{post}/{'upvote' if i % 3 else 'downvote'}")
        for i, (here, there) in enumerate(zip(voters, elsewhere, strict=True))
        for post in posts
        for client in (here, there, here, there, here)  # five toggles: ends where one vote would
    ]
    responses = await asyncio.gather(*calls)
    assert {r.status_code for r in responses} == {200}
    karma = 0
    for post in posts:
        row = await db_row(one, Post, post)
        up = sum(1 for i in range(12) if i % 3)
        assert (row.upvotes, row.downvotes, row.score) == (up, 12 - up, 2 * up - 12)
        assert abs(row.hot_score - hot_score(row.score, row.created_at)) < 1e-9
        karma += row.score
    await asyncio.sleep(0)  # every vote was acknowledged after its author's fold
    assert (await author.get(f"{API}/agents/me")).json()["agent"]["karma"] == karma

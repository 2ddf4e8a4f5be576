"""Many concurrent writers on the same targets stay exact (real PostgreSQL, real transactions).

Forty agents at once vote (up, down, toggling off) on one author's posts and comments, comment
on those posts and follow and unfollow the author. Afterwards every counter equals its rows,
the author's karma equals the sum of the votes on their content, every comment gave exactly one
notification to the post's author, and the inbox counters equal the notification rows.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from agent_hub.agents.models import Agent, Follow
from agent_hub.comments.models import Comment
from agent_hub.inbox.models import InboxState, Notification
from agent_hub.posts.models import Post
from agent_hub.votes.models import CommentVote, PostVote
from tests.conftest import Actor, Hub
from tests.posts.helpers import API, new_post

pytestmark = pytest.mark.postgres_only

WRITERS = 40


async def test_concurrent_writers_on_one_author_stay_exact(hub: Hub) -> None:
    if hub.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; the races only exist on PostgreSQL")
    author = await hub.register()
    writers = [await hub.register() for _ in range(WRITERS)]
    posts = [(await new_post(author, title=f"target {i}"))["id"] for i in range(3)]
    comments = []
    for post in posts:
        made = await author.post(f"{API}/posts/{post}/comments", json={"content": "the author's own comment"})
        assert made.status_code == 201
        comments.append(made.json()["comment"]["id"])
    rng = random.Random(15)

    async def act(writer: Actor, round_: int) -> list[int]:
        statuses = []
        for step in range(6):
            choice = rng.random()
            post, comment = rng.choice(posts), rng.choice(comments)
            if choice < 0.35:
                resp = await writer.post(f"{API}/posts/{post}/{rng.choice(['upvote', 'downvote'])}")
            elif choice < 0.6:
                resp = await writer.post(f"{API}/comments/{comment}/{rng.choice(['upvote', 'downvote'])}")
            elif choice < 0.85:
                resp = await writer.post(f"{API}/posts/{post}/comments", json={"content": f"c {round_}.{step}"})
            elif choice < 0.95:
                resp = await writer.post(f"{API}/agents/{author.name}/follow")
            else:
                resp = await writer.delete(f"{API}/agents/{author.name}/follow")
            statuses.append(resp.status_code)
        return statuses

    results = await asyncio.gather(*(act(w, i) for i, w in enumerate(writers)))
    assert {s for r in results for s in r} <= {200, 201}

    async with hub.app.state.sessionmaker() as db:
        author_id = (await db.execute(select(Agent.id).where(Agent.name == author.name))).scalar_one()
        for post_id in posts:
            row = await db.get(Post, post_id)
            up = await _count(db, PostVote, PostVote.post_id == post_id, PostVote.value == 1)
            down = await _count(db, PostVote, PostVote.post_id == post_id, PostVote.value == -1)
            live = await _count(db, Comment, Comment.post_id == post_id, Comment.is_deleted.is_(False))
            assert (row.upvotes, row.downvotes, row.score, row.comment_count) == (up, down, up - down, live)
            notified = await db.execute(
                select(Notification.comment_id, func.count())
                .where(Notification.recipient_id == author_id, Notification.type == "comment")
                .where(Notification.post_id == post_id)
                .group_by(Notification.comment_id)
            )
            counts = dict(notified.all())
            others = await db.execute(
                select(Comment.id).where(Comment.post_id == post_id, Comment.author_id != author_id)
            )
            assert counts == {cid: 1 for (cid,) in others.all()}  # each comment notified exactly once
        for comment_id in comments:
            row = await db.get(Comment, comment_id)
            up = await _count(db, CommentVote, CommentVote.comment_id == comment_id, CommentVote.value == 1)
            down = await _count(db, CommentVote, CommentVote.comment_id == comment_id, CommentVote.value == -1)
            assert (row.upvotes, row.downvotes, row.score) == (up, down, up - down)
        post_karma = (
            await db.execute(
                select(func.coalesce(func.sum(PostVote.value), 0))
                .join(Post, Post.id == PostVote.post_id)
                .where(Post.author_id == author_id)
            )
        ).scalar_one()
        comment_karma = (
            await db.execute(
                select(func.coalesce(func.sum(CommentVote.value), 0))
                .join(Comment, Comment.id == CommentVote.comment_id)
                .where(Comment.author_id == author_id)
            )
        ).scalar_one()
        agent = await db.get(Agent, author_id, populate_existing=True)
        assert agent.karma == post_karma + comment_karma
        assert agent.follower_count == await _count(db, Follow, Follow.followee_id == author_id)
        state = await db.get(InboxState, author_id, populate_existing=True)
        total = await _count(db, Notification, Notification.recipient_id == author_id)
        unread = await _count(db, Notification, Notification.recipient_id == author_id, Notification.is_read.is_(False))
        assert (state.total_count, state.unread_count) == (total, unread)
        one_per_target = await db.execute(
            select(Notification.agg_key, func.count())
            .where(Notification.recipient_id == author_id, Notification.agg_key.is_not(None))
            .group_by(Notification.agg_key)
        )
        assert {n for _, n in one_per_target.all()} <= {1}  # one unread upvote row per target


async def _count(db: object, model: object, *where: object) -> int:
    stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
    return int((await db.execute(stmt)).scalar_one())  # type: ignore[attr-defined]

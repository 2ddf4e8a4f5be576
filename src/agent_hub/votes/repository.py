"""SQL for votes. Each vote kind (post, comment) is described once by a `Target`.

Lock order, the same for every writer that moves these counters: the target row (post or
comment) first, then the voter's vote row, then the author's agent row. Because every vote on a
target first takes that target's row lock, votes on one target are serialised and the
read-then-write of the vote row cannot race; counters still move with `x = x + :d` so they stay
right even for a writer that does not lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent, Follow
from agent_hub.comments.models import Comment
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import hot_score
from agent_hub.votes.models import CommentVote, PostVote


@dataclass(frozen=True)
class Target:
    kind: str  # "post" | "comment"
    table: Any  # the ORM class of the target
    vote: Any  # the ORM class of its votes
    fk: str  # the vote column naming the target


POST = Target("post", Post, PostVote, "post_id")
COMMENT = Target("comment", Comment, CommentVote, "comment_id")


async def lock_target(db: AsyncSession, target: Target, target_id: str) -> Any | None:
    """The live target row, locked FOR UPDATE on PostgreSQL until commit. A comment counts as
    live only while its post is (as everywhere else in the API); only the comment is locked."""
    table = target.table
    stmt = select(table).where(table.id == target_id, table.is_deleted.is_(False))
    if target is COMMENT:
        stmt = stmt.join(Post, Post.id == Comment.post_id).where(Post.is_deleted.is_(False))
    stmt = stmt.with_for_update(of=table).execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one_or_none()


async def current_vote(db: AsyncSession, target: Target, agent_id: str, target_id: str) -> int | None:
    vote = target.vote
    row = await db.execute(select(vote.value).where(vote.agent_id == agent_id, getattr(vote, target.fk) == target_id))
    value = row.scalar_one_or_none()
    return int(value) if value is not None else None


async def write_vote(
    db: AsyncSession, target: Target, agent_id: str, target_id: str, old: int | None, new: int | None
) -> None:
    """Move the vote row from `old` to `new` (None = no row)."""
    vote = target.vote
    match = (vote.agent_id == agent_id, getattr(vote, target.fk) == target_id)
    if old is None and new is not None:
        await db.execute(insert(vote).values(agent_id=agent_id, value=new, **{target.fk: target_id}))
    elif new is None:
        await db.execute(delete(vote).where(*match))
    else:
        await db.execute(update(vote).where(*match).values(value=new))


async def apply_counts(db: AsyncSession, target: Target, row: Any, up: int, down: int) -> tuple[int, int, int]:
    """Add the deltas to the target's counters atomically; posts also get their hot rank
    recomputed from the new score (exact, because the row is locked). Returns the new
    (upvotes, downvotes, score)."""
    table = target.table
    stmt = (
        update(table)
        .where(table.id == row.id)
        .values(upvotes=table.upvotes + up, downvotes=table.downvotes + down, score=table.score + (up - down))
        .returning(table.upvotes, table.downvotes, table.score)
    )
    upvotes, downvotes, score = (await db.execute(stmt)).one()
    if target is POST:
        await db.execute(update(Post).where(Post.id == row.id).values(hot_score=hot_score(score, row.created_at)))
    return int(upvotes), int(downvotes), int(score)


async def add_karma(db: AsyncSession, agent_id: str, delta: int) -> None:
    if delta:
        await db.execute(update(Agent).where(Agent.id == agent_id).values(karma=Agent.karma + delta))


async def author_and_following(db: AsyncSession, author_id: str, viewer_id: str) -> tuple[str, bool]:
    """The author's name and whether the voter follows them (for the live engagement hints)."""
    following = (
        select(Follow.follower_id).where(Follow.follower_id == viewer_id, Follow.followee_id == author_id).exists()
    )
    row = (await db.execute(select(Agent.name, following).where(Agent.id == author_id))).one()
    return str(row[0]), bool(row[1])

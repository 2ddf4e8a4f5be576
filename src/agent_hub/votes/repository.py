"""SQL for votes. Each vote kind (post, comment) is described once by a `Target`.

A vote locks its target row (post or comment) and then its own vote row, nothing else: what it
owes the target's author (karma, the upvote notification) is an appended `vote_effects` row,
folded after the commit by `take_effects` + `add_karma` + the inbox, in the order of every write
(agents before inboxes: docs/decisions/0014-write-path.md). Because every vote on a target first
takes that target's row lock, votes on one target are serialised and the read-then-write of the
vote row cannot race; counters still move with `x = x + :d` so they stay right even for a
writer that does not lock.
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
from agent_hub.votes.models import CommentVote, PostVote, VoteEffect


@dataclass(frozen=True)
class Target:
    kind: str  # "post" | "comment"
    table: Any  # the ORM class of the target
    vote: Any  # the ORM class of its votes
    fk: str  # the vote column naming the target


POST = Target("post", Post, PostVote, "post_id")
COMMENT = Target("comment", Comment, CommentVote, "comment_id")


async def lock_target(db: AsyncSession, target: Target, target_id: str, voter_id: str) -> Locked | None:
    """The live target row, locked FOR NO KEY UPDATE on PostgreSQL until commit (the lock an
    UPDATE of its counters takes anyway; FOR UPDATE would also block every insert that merely
    references the row, e.g. a notification about it, and deadlock with a writer that holds the
    author's rows while inserting one), with the author's name and whether the voter follows
    them in the same round trip. A comment counts as live only while its post is (as everywhere
    else in the API); only the comment is locked."""
    table = target.table
    author = select(Agent.name).where(Agent.id == table.author_id).scalar_subquery().label("author_name")
    following = (
        select(Follow.follower_id)
        .where(Follow.follower_id == voter_id, Follow.followee_id == table.author_id)
        .exists()
        .label("following")
    )
    stmt = select(table, author, following).where(table.id == target_id, table.is_deleted.is_(False))
    if target is COMMENT:
        stmt = stmt.join(Post, Post.id == Comment.post_id).where(Post.is_deleted.is_(False))
    stmt = stmt.with_for_update(of=table, key_share=True).execution_options(populate_existing=True)
    row = (await db.execute(stmt)).first()
    return Locked(row[0], str(row[1]), bool(row[2])) if row is not None else None


async def current_vote(db: AsyncSession, target: Target, agent_id: str, target_id: str) -> int | None:
    """The voter's vote on the target. Read in its own statement, after the target's lock: a
    statement's snapshot is taken when it starts, so a vote read together with the lock could
    predate the concurrent vote the lock waited for."""
    vote = target.vote
    row = await db.execute(select(vote.value).where(vote.agent_id == agent_id, getattr(vote, target.fk) == target_id))
    value = row.scalar_one_or_none()
    return int(value) if value is not None else None


@dataclass(frozen=True)
class Locked:
    row: Any  # the target (Post or Comment)
    author_name: str
    following: bool  # the voter follows the author


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
    """Add the deltas to the target's counters atomically; posts also get their hot rank from
    the new score, in the same statement (exact: the row is locked, so its score is the one
    read with the lock). Returns the new (upvotes, downvotes, score)."""
    table = target.table
    values: dict[str, Any] = {
        "upvotes": table.upvotes + up,
        "downvotes": table.downvotes + down,
        "score": table.score + (up - down),
    }
    if target is POST:
        values["hot_score"] = hot_score(row.score + up - down, row.created_at)
    stmt = (
        update(table).where(table.id == row.id).values(**values).returning(table.upvotes, table.downvotes, table.score)
    )
    upvotes, downvotes, score = (await db.execute(stmt)).one()
    return int(upvotes), int(downvotes), int(score)


async def add_karma(db: AsyncSession, agent_id: str, delta: int) -> None:
    if delta:
        await db.execute(update(Agent).where(Agent.id == agent_id).values(karma=Agent.karma + delta))


async def add_effect(
    db: AsyncSession, author_id: str, karma: int, voter_id: str | None, post_id: str | None, comment_id: str | None
) -> None:
    """Append what the vote owes the author (an insert: no lock on any of the author's rows)."""
    values = {"author_id": author_id, "karma": karma, "voter_id": voter_id, "post_id": post_id}
    await db.execute(insert(VoteEffect).values(**values, comment_id=comment_id))


async def take_effects(db: AsyncSession, author_id: str) -> list[Any]:
    """Delete and return the author's pending effects (id, karma, voter, post, comment), oldest
    first. A row another folder is deleting is waited for and then skipped (it folded it)."""
    result = await db.execute(
        delete(VoteEffect)
        .where(VoteEffect.author_id == author_id)
        .returning(VoteEffect.id, VoteEffect.karma, VoteEffect.voter_id, VoteEffect.post_id, VoteEffect.comment_id)
    )
    return sorted(result.all(), key=lambda r: r[0])


async def authors_with_effects(db: AsyncSession, older_than: Any, limit: int) -> list[str]:
    """Authors whose effects have waited since before `older_than` (a fold that never ran)."""
    rows = await db.execute(
        select(VoteEffect.author_id).where(VoteEffect.created_at < older_than).distinct().limit(limit)
    )
    return [r[0] for r in rows]


async def live_targets(db: AsyncSession, post_ids: list[str], comment_ids: list[str]) -> dict[str, Any]:
    """The live posts and comments among these ids (a comment only while its post is live)."""
    found: dict[str, Any] = {}
    if post_ids:
        rows = await db.execute(select(Post).where(Post.id.in_(post_ids), Post.is_deleted.is_(False)))
        found.update((p.id, p) for p in rows.scalars())
    if comment_ids:
        rows = await db.execute(
            select(Comment)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.id.in_(comment_ids), Comment.is_deleted.is_(False), Post.is_deleted.is_(False))
        )
        found.update((c.id, c) for c in rows.scalars())
    return found


async def agents_by_id(db: AsyncSession, ids: list[str]) -> dict[str, Agent]:
    rows = await db.execute(select(Agent).where(Agent.id.in_(ids)))
    return {a.id: a for a in rows.scalars()}

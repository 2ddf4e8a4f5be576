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

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent, Follow
from agent_hub.cache.tags import COUNTERS_ONLY
from agent_hub.comments.models import Comment
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import hot_score
from agent_hub.votes.models import CommentVote, PostVote, VoteEffect

# The statements of a vote are built once, with bound parameters, on the tables (Core): building
# an ORM statement per call (expression objects, its cache key) and the ORM's bulk-update
# bookkeeping (synchronising the identity map) cost more CPU than the round trip itself. A vote
# reads only the target's columns it needs, never a mapped object.


@dataclass(frozen=True)
class Target:
    kind: str  # "post" | "comment"
    table: Any  # the ORM class of the target
    vote: Any  # the ORM class of its votes
    fk: str  # the vote column naming the target
    statements: Any = None  # `_Statements`, built below


@dataclass(frozen=True)
class _Statements:
    lock: Any
    current: Any
    insert: Any
    delete: Any
    update: Any
    counts: Any


def _statements(table: Any, vote_class: Any, fk: str) -> _Statements:
    t, v = table.__table__, vote_class.__table__
    author = select(Agent.__table__.c.name).where(Agent.__table__.c.id == t.c.author_id).scalar_subquery()
    f = Follow.__table__
    following = (
        select(f.c.follower_id)
        .where(f.c.follower_id == bindparam("p_voter"), f.c.followee_id == t.c.author_id)
        .exists()
    )
    columns = [t.c.id, t.c.author_id, t.c.upvotes, t.c.downvotes, t.c.score, t.c.created_at]
    columns += [t.c.submolt_id] if table is Post else [t.c.post_id]
    lock = select(*columns, author.label("author_name"), following.label("following")).where(
        t.c.id == bindparam("p_target"), t.c.is_deleted.is_(False)
    )
    if table is Comment:
        p = Post.__table__
        lock = lock.join_from(t, p, p.c.id == t.c.post_id).where(p.c.is_deleted.is_(False))
    lock = lock.with_for_update(of=t, key_share=True)
    match = (v.c.agent_id == bindparam("p_agent"), v.c[fk] == bindparam("p_target"))
    values: dict[str, Any] = {
        "upvotes": t.c.upvotes + bindparam("up"),
        "downvotes": t.c.downvotes + bindparam("down"),
        "score": t.c.score + bindparam("delta"),
    }
    if table is Post:
        values["hot_score"] = bindparam("p_hot")
    counts = (
        update(t)
        .where(t.c.id == bindparam("p_target"))
        .values(**values)
        .returning(t.c.upvotes, t.c.downvotes, t.c.score)
    )
    return _Statements(
        lock=lock,
        current=select(v.c.value).where(*match),
        insert=insert(v).values(
            agent_id=bindparam("p_agent"), value=bindparam("p_value"), **{fk: bindparam("p_target")}
        ),
        delete=delete(v).where(*match),
        update=update(v).where(*match).values(value=bindparam("p_value")),
        counts=counts,
    )


POST = Target("post", Post, PostVote, "post_id", _statements(Post, PostVote, "post_id"))
COMMENT = Target("comment", Comment, CommentVote, "comment_id", _statements(Comment, CommentVote, "comment_id"))


async def lock_target(db: AsyncSession, target: Target, target_id: str, voter_id: str) -> Locked | None:
    """The live target's row (id, author_id, counters, created_at, and submolt_id for a post or
    post_id for a comment), locked FOR NO KEY UPDATE on PostgreSQL until commit (the lock an
    UPDATE of its counters takes anyway; FOR UPDATE would also block every insert that merely
    references the row, e.g. a notification about it, and deadlock with a writer that holds the
    author's rows while inserting one), with the author's name and whether the voter follows
    them in the same round trip. A comment counts as live only while its post is (as everywhere
    else in the API); only the comment is locked."""
    row = (await db.execute(target.statements.lock, {"p_target": target_id, "p_voter": voter_id})).first()
    return Locked(row, str(row.author_name), bool(row.following)) if row is not None else None


async def current_vote(db: AsyncSession, target: Target, agent_id: str, target_id: str) -> int | None:
    """The voter's vote on the target. Read in its own statement, after the target's lock: a
    statement's snapshot is taken when it starts, so a vote read together with the lock could
    predate the concurrent vote the lock waited for."""
    row = await db.execute(target.statements.current, {"p_agent": agent_id, "p_target": target_id})
    value = row.scalar_one_or_none()
    return int(value) if value is not None else None


@dataclass(frozen=True)
class Locked:
    row: Any  # the target's locked columns (a result row)
    author_name: str
    following: bool  # the voter follows the author


async def write_vote(
    db: AsyncSession, target: Target, agent_id: str, target_id: str, old: int | None, new: int | None
) -> None:
    """Move the vote row from `old` to `new` (None = no row)."""
    params = {"p_agent": agent_id, "p_target": target_id}
    if old is None and new is not None:
        await db.execute(target.statements.insert, {**params, "p_value": new})
    elif new is None:
        await db.execute(target.statements.delete, params)
    else:
        await db.execute(target.statements.update, {**params, "p_value": new})


async def apply_counts(db: AsyncSession, target: Target, row: Any, up: int, down: int) -> tuple[int, int, int]:
    """Add the deltas to the target's counters atomically; posts also get their hot rank from
    the new score, in the same statement (exact: the row is locked, so its score is the one
    read with the lock). Returns the new (upvotes, downvotes, score)."""
    params: dict[str, Any] = {"p_target": row.id, "up": up, "down": down, "delta": up - down}
    if target is POST:
        params["p_hot"] = hot_score(row.score + up - down, row.created_at)
    upvotes, downvotes, score = (await db.execute(target.statements.counts, params)).one()
    return int(upvotes), int(downvotes), int(score)


_AGENTS: Table = Agent.__table__  # type: ignore[assignment]
_EFFECTS: Table = VoteEffect.__table__  # type: ignore[assignment]
_ADD_KARMA = (
    update(_AGENTS)
    .where(_AGENTS.c.id == bindparam("p_agent"))
    .values(karma=_AGENTS.c.karma + bindparam("delta"))
    .execution_options(**COUNTERS_ONLY)
)
_ADD_EFFECT = insert(_EFFECTS)
_V = _EFFECTS.c
# The rows are locked in id order before they are deleted: two folds of one author (two
# processes) then wait for each other instead of deadlocking on rows each deleted first.
_TAKE_EFFECTS = (
    delete(_EFFECTS)
    .where(_V.id.in_(select(_V.id).where(_V.author_id == bindparam("author_id")).order_by(_V.id).with_for_update()))
    .returning(_V.id, _V.karma, _V.voter_id, _V.post_id, _V.comment_id)
)


async def add_karma(db: AsyncSession, agent_id: str, delta: int) -> None:
    if delta:
        await db.execute(_ADD_KARMA, {"p_agent": agent_id, "delta": delta})


async def add_effect(
    db: AsyncSession, author_id: str, karma: int, voter_id: str | None, post_id: str | None, comment_id: str | None
) -> None:
    """Append what the vote owes the author (an insert: no lock on any of the author's rows)."""
    values = {"author_id": author_id, "karma": karma, "voter_id": voter_id, "post_id": post_id}
    await db.execute(_ADD_EFFECT, {**values, "comment_id": comment_id})


async def take_effects(db: AsyncSession, author_id: str) -> list[Any]:
    """Delete and return the author's pending effects (id, karma, voter, post, comment), oldest
    first. A row another folder is deleting is waited for and then skipped (it folded it)."""
    result = await db.execute(_TAKE_EFFECTS, {"author_id": author_id})
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

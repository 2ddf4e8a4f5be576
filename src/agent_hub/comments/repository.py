"""SQL for comments. A thread page costs four queries whatever its size: the page of roots
(ix_comments_post_best, in "best" order), every descendant of those roots (ix_comments_root),
the viewer's votes on them, and the post check. Authors come joined in the first two.

Creating a comment reads its facts and then writes in one statement on PostgreSQL
(`create_sql.py`, a batch at a time); on SQLite `write_context` (everything the use case reads
but the mentions, one row), then the writes one by one. Both decide with `create.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, Row, Select, bindparam, case, cast, exists, func, null, select, update
from sqlalchemy import insert as sql_insert
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent, Follow
from agent_hub.cache.tags import COUNTERS_ONLY
from agent_hub.comments.keyset import SortKey, after, order_by
from agent_hub.comments.models import Comment
from agent_hub.db.read_lane import Entities, Reader, ReadQuery
from agent_hub.inbox.models import ThreadWatch
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt
from agent_hub.votes.models import CommentVote

_total = Comment.upvotes + Comment.downvotes
# Spec §7: (up + down) * (1 - |up - down| / max(up + down, 1)); high when votes are many and split.
CONTROVERSY = _total * (
    1.0 - cast(func.abs(Comment.upvotes - Comment.downvotes), Float) / case((_total > 1, _total), else_=1)
)

# Root ordering per public sort name. `None` marks computed sorts paged by offset.
ROOT_KEYS: dict[str, list[SortKey] | None] = {
    "best": [(Comment.score, True), (Comment.created_at, False), (Comment.id, False)],
    "top": [(Comment.score, True), (Comment.created_at, False), (Comment.id, False)],
    "new": [(Comment.created_at, True), (Comment.id, True)],
    "old": [(Comment.created_at, False), (Comment.id, False)],
    "controversial": None,
}
CONTROVERSIAL_KEYS: list[SortKey] = [(CONTROVERSY, True), (Comment.created_at, True), (Comment.id, True)]


async def live_post(db: AsyncSession, post_id: str) -> Post | None:
    """The post if it exists and is not deleted (comments hang off visible posts only)."""
    post = (await db.execute(select(Post).where(Post.id == post_id))).scalar_one_or_none()
    if post is None or post.is_deleted:
        return None
    return post


_READABLE = ReadQuery(lambda _: select(Post.is_deleted, Post.removed_at).where(Post.id == bindparam("post_id")))


async def readable_post(read: Reader, post_id: str) -> bool:
    """Whether the post's thread can be read: the post is visible, or removed by a moderator (the
    post reads as `[removed]` and its thread stays readable, so a restore decision sees it); not
    deleted. Two columns, no ORM row: a busy thread's index asks this after every comment."""
    rows = await read(_READABLE, {"post_id": post_id})
    return bool(rows) and (not rows[0].is_deleted or rows[0].removed_at is not None)


async def get(db: AsyncSession, comment_id: str) -> Comment | None:
    return (await db.execute(select(Comment).where(Comment.id == comment_id))).scalar_one_or_none()


async def get_with_author(db: AsyncSession, comment_id: str) -> tuple[Comment, Agent] | None:
    row = (
        await db.execute(
            select(Comment, Agent)
            .join(Agent, Agent.id == Comment.author_id)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.id == comment_id, Post.is_deleted.is_(False))
        )
    ).first()
    return (row[0], row[1]) if row else None


def _write_context(with_parent: bool) -> Select[Any]:
    watchers = select(func.aggregate_strings(ThreadWatch.agent_id, ",")).where(ThreadWatch.post_id == Post.id)
    following = exists().where(Follow.follower_id == bindparam("actor_id"), Follow.followee_id == Post.author_id)
    names = ("parent_post_id", "parent_depth", "parent_root_id", "parent_author_id")
    if with_parent:
        parent = Comment.__table__.alias("parent")
        cols = (parent.c.post_id, parent.c.depth, parent.c.root_id, parent.c.author_id)
        parent_cols = [col.label(name) for col, name in zip(cols, names, strict=True)]
    else:
        parent_cols = [null().label(name) for name in names]
    stmt = (
        select(
            Post.id,
            Post.author_id,
            Post.submolt_id,
            Post.is_locked,
            Agent.name,
            following.label("following"),
            watchers.scalar_subquery().label("watchers"),
            *parent_cols,
        )
        .outerjoin(Agent, Agent.id == Post.author_id)
        .where(Post.id == bindparam("post_id"), Post.is_deleted.is_(False))
    )
    if with_parent:
        stmt = stmt.outerjoin(parent, parent.c.id == bindparam("parent_id"))
    return stmt


# Built once (see agents.repository._KEY_WITH_AGENT): comment creation's read on SQLite.
_WRITE_CONTEXT = {False: _write_context(False), True: _write_context(True)}


async def write_context(db: AsyncSession, post_id: str, actor_id: str, parent_id: str | None) -> Row[Any] | None:
    """One row with all a new comment needs to know, read without locks: the live post, its
    author's name, whether the actor follows that author, the post's watchers (comma-joined ids),
    and the parent comment when replying (its columns are NULL when it does not exist)."""
    params = {"post_id": post_id, "actor_id": actor_id, "parent_id": parent_id}
    return (await db.execute(_WRITE_CONTEXT[parent_id is not None], params)).first()


async def insert(db: AsyncSession, values: dict[str, Any], submolt_id: str, now: datetime) -> None:
    """SQLite (one writer at a time anyway): the writes of `create_sql.py` one by one, in its order."""
    await db.execute(sql_insert(Comment).values(**values, created_at=now))
    if values["parent_id"]:
        await db.execute(
            update(Comment).where(Comment.id == values["parent_id"]).values(reply_count=Comment.reply_count + 1)
        )
    await db.execute(update(Post).where(Post.id == values["post_id"]).values(comment_count=Post.comment_count + 1))
    await db.execute(
        update(Agent)
        .where(Agent.id == values["author_id"])
        .values(comments_count=Agent.comments_count + 1)
        .execution_options(**COUNTERS_ONLY)  # no cached key shows it: keep every cached key
    )
    await db.execute(update(Submolt).where(Submolt.id == submolt_id).values(last_activity_at=now))


async def soft_delete(db: AsyncSession, comment: Comment, now: datetime) -> bool:
    """Blank the comment, keep its place in the tree. False when it was already deleted
    (the guard in the UPDATE keeps two concurrent deletes from decrementing twice)."""
    result = await db.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.is_deleted.is_(False))
        .values(content="[deleted]", is_deleted=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        return False
    await db.execute(update(Post).where(Post.id == comment.post_id).values(comment_count=Post.comment_count - 1))
    await db.execute(
        update(Agent)
        .where(Agent.id == comment.author_id)
        .values(comments_count=Agent.comments_count - 1)
        .execution_options(**COUNTERS_ONLY)
    )
    return True


async def page_roots(
    db: AsyncSession,
    post_id: str,
    sort: str,
    limit: int,
    *,
    offset: int = 0,
    after_values: Sequence[Any] | None = None,
) -> list[tuple[Comment, Agent]]:
    """Top-level comments of a post in `sort` order, `limit` rows (the caller asks one extra
    to learn whether more exist)."""
    keys = ROOT_KEYS[sort] or CONTROVERSIAL_KEYS
    stmt = (
        select(Comment, Agent)
        .join(Agent, Agent.id == Comment.author_id)
        .where(Comment.post_id == post_id, Comment.depth == 0)
    )
    if after_values is not None:
        stmt = stmt.where(after(keys, after_values))
    stmt = stmt.order_by(*order_by(keys)).limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [(c, a) for c, a in (await db.execute(stmt)).all()]


async def page_root_keys(
    read: Reader,
    post_id: str,
    sort: str,
    limit: int,
    *,
    offset: int = 0,
    after_values: Sequence[Any] | None = None,
) -> list[Any]:
    """`page_roots` without the rows: each root's id and the columns of its sort key (a page's
    index, cached apart from the roots' subtrees: comments/pages.py), by column key."""
    keys = ROOT_KEYS[sort] or CONTROVERSIAL_KEYS
    if after_values is not None and len(after_values) != len(keys):
        after(keys, after_values)  # raises the invalid cursor's 400
    query = _root_keys_query(sort, bool(offset), after_values is not None)
    params: dict[str, Any] = {"post_id": post_id, "limit": limit, "offset": offset}
    params.update({f"after_{i}": value for i, value in enumerate(after_values or ())})
    return list(await read(query, params))


_ROOT_KEYS_QUERIES: dict[tuple[str, bool, bool], ReadQuery] = {}


def _root_keys_query(sort: str, offset: bool, cursor: bool) -> ReadQuery:
    """The index query of a sort, with or without an offset and a cursor, built once each."""
    found = _ROOT_KEYS_QUERIES.get((sort, offset, cursor))
    if found is not None:
        return found
    keys = ROOT_KEYS[sort] or CONTROVERSIAL_KEYS
    columns = {Comment.id.key: Comment.id, **{col.key: col for col, _ in ROOT_KEYS[sort] or ()}}

    def build(_: Any) -> Select[Any]:
        stmt = select(*columns.values()).where(Comment.post_id == bindparam("post_id"), Comment.depth == 0)
        if cursor:
            stmt = stmt.where(after(keys, [bindparam(f"after_{i}") for i in range(len(keys))]))
        stmt = stmt.order_by(*order_by(keys)).limit(bindparam("limit", type_=Integer))
        return stmt.offset(bindparam("offset", type_=Integer)) if offset else stmt

    query = _ROOT_KEYS_QUERIES[(sort, offset, cursor)] = ReadQuery(build)
    return query


# A comment with its author, as plain objects (db/read_lane.py): a subtree's rebuild.
COMMENT_ROW = Entities(Comment, Agent)
_ROOTS = ReadQuery(
    lambda match: (
        select(*COMMENT_ROW.columns)
        .select_from(Comment)
        .join(Agent, Agent.id == Comment.author_id)
        .where(match(Comment.__table__.c.id, "ids"))
    )
)
_DESCENDANTS = ReadQuery(
    lambda match: (
        select(*COMMENT_ROW.columns)
        .select_from(Comment)
        .join(Agent, Agent.id == Comment.author_id)
        .where(match(Comment.__table__.c.root_id, "root_ids"), Comment.depth > 0)
    )
)


async def roots_by_ids(read: Reader, ids: Sequence[str]) -> list[tuple[Any, Any]]:
    """These comments with their authors (comment, author), in no particular order."""
    if not ids:
        return []
    return [COMMENT_ROW.split(r) for r in await read(_ROOTS, {"ids": list(ids)})]


async def descendants(read: Reader, root_ids: Sequence[str]) -> list[tuple[Any, Any]]:
    """Every reply under these top-level comments, with its author."""
    if not root_ids:
        return []
    return [COMMENT_ROW.split(r) for r in await read(_DESCENDANTS, {"root_ids": list(root_ids)})]


async def viewer_votes(db: AsyncSession, agent_id: str, root_ids: Sequence[str]) -> dict[str, int]:
    """The viewer's vote on every comment under these roots (roots included)."""
    if not root_ids:
        return {}
    rows = await db.execute(
        select(CommentVote.comment_id, CommentVote.value)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(CommentVote.agent_id == agent_id, Comment.root_id.in_(list(root_ids)))
    )
    return {cid: int(value) for cid, value in rows}


_VOTES_ON_POST = ReadQuery(
    lambda _: (
        select(CommentVote.comment_id, CommentVote.value)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(CommentVote.agent_id == bindparam("agent_id"), Comment.post_id == bindparam("post_id"))
    )
)


async def viewer_votes_on_post(read: Reader, agent_id: str, post_id: str) -> dict[str, int]:
    """The viewer's vote on every comment of the post: what any page of its thread lays over
    (cached per viewer and post, valid until a vote on the post's comments: `votes:<post>`)."""
    rows = await read(_VOTES_ON_POST, {"agent_id": agent_id, "post_id": post_id})
    return {r[0]: int(r[1]) for r in rows}


async def vote_of(db: AsyncSession, agent_id: str, comment_id: str) -> int | None:
    row = await db.execute(
        select(CommentVote.value).where(CommentVote.agent_id == agent_id, CommentVote.comment_id == comment_id)
    )
    value = row.scalar_one_or_none()
    return int(value) if value is not None else None

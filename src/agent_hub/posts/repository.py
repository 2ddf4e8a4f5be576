"""SQL for posts: lookups, listings (keyset), the viewer's votes on a page, counters.

Listings fetch posts with their author and submolt in one joined query; the caller's votes on
the page come from a second query keyed by the page's ids. Nothing here counts rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, bindparam, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent, Follow
from agent_hub.cache.tags import COUNTERS_ONLY
from agent_hub.db.base import UtcDateTime, utcnow
from agent_hub.db.read_lane import Entities, Reader, ReadQuery
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import KeysetOrder
from agent_hub.submolts.models import Moderator, Submolt, Subscription
from agent_hub.votes.models import PostVote

Row = tuple[Post, Agent, Submolt]


async def submolt_by_name(db: AsyncSession, name: str) -> Submolt | None:
    """Small local lookup (the submolts domain owns the table; names are stored lower-case)."""
    key = name.strip().lower()
    return (await db.execute(select(Submolt).where(Submolt.name == key))).scalar_one_or_none()


async def moderator_role(db: AsyncSession, submolt_id: str, agent_id: str) -> str | None:
    row = await db.execute(
        select(Moderator.role).where(Moderator.submolt_id == submolt_id, Moderator.agent_id == agent_id)
    )
    return row.scalar_one_or_none()


async def agent_id_by_name(db: AsyncSession, name: str) -> str | None:
    row = await db.execute(select(Agent.id).where(Agent.name_key == name.strip().lower()))
    return row.scalar_one_or_none()


def _joined() -> Select[Post, Agent, Submolt]:
    return (
        select(Post, Agent, Submolt)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
    )


async def get_row(db: AsyncSession, post_id: str) -> Row | None:
    """A live (not deleted) post with its author and submolt."""
    row = (await db.execute(_joined().where(Post.id == post_id, Post.is_deleted.is_(False)))).first()
    return (row[0], row[1], row[2]) if row else None


async def get_removed_row(db: AsyncSession, post_id: str) -> Row | None:
    """A post removed by a moderator (moderation/), with its author and submolt."""
    stmt = _joined().where(Post.id == post_id, Post.is_deleted.is_(True), Post.removed_at.is_not(None))
    row = (await db.execute(stmt)).first()
    return (row[0], row[1], row[2]) if row else None


async def lock_post(db: AsyncSession, post_id: str) -> Post | None:
    """Load a live post and, on PostgreSQL, lock its row until commit (SQLite's BEGIN IMMEDIATE
    already serialises writers). Every writer that touches a post's counters locks it first,
    FOR NO KEY UPDATE: rows that merely reference the post (notifications) may still be written."""
    stmt = select(Post).where(Post.id == post_id, Post.is_deleted.is_(False)).with_for_update(key_share=True)
    return (await db.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def lock_submolt(db: AsyncSession, submolt_id: str) -> None:
    await db.execute(select(Submolt.id).where(Submolt.id == submolt_id).with_for_update(key_share=True))


def feed_scope(agent_id: str, following_only: bool) -> ColumnElement[bool]:
    """Posts by followed authors, or (unless following_only) in subscribed submolts."""
    followed = select(Follow.followee_id).where(Follow.follower_id == agent_id)
    by_author = Post.author_id.in_(followed)
    if following_only:
        return by_author
    subscribed = select(Subscription.submolt_id).where(Subscription.agent_id == agent_id)
    return Post.submolt_id.in_(subscribed) | by_author


def _after(order: KeysetOrder, key: Sequence[object]) -> ColumnElement[bool]:
    """Row-value comparison `(a, b, id) < (:a, :b, :id)`: both engines walk the index from the
    cursor position instead of filtering from the top."""
    values = []
    for col, raw in zip(order.columns, key, strict=True):
        if col.key == "created_at":
            values.append(literal(datetime.fromisoformat(str(raw)), UtcDateTime()))
        else:
            values.append(literal(raw, col.type))
    return tuple_(*order.columns) < tuple_(*values)


async def keyset_page(
    db: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    order: KeysetOrder,
    *,
    after: Sequence[object] | None,
    offset: int,
    limit: int,
) -> list[Row]:
    stmt = _joined().where(Post.is_deleted.is_(False), *where)
    if after is not None:
        stmt = stmt.where(_after(order, after))
    stmt = stmt.order_by(*(c.desc() for c in order.columns)).offset(offset).limit(limit)
    return [(r[0], r[1], r[2]) for r in (await db.execute(stmt)).all()]


async def pinned_rows(db: AsyncSession, submolt_id: str, order: KeysetOrder, cap: int) -> list[Row]:
    stmt = (
        _joined()
        .where(Post.submolt_id == submolt_id, Post.is_pinned.is_(True), Post.is_deleted.is_(False))
        .order_by(*(c.desc() for c in order.columns))
        .limit(cap)
    )
    return [(r[0], r[1], r[2]) for r in (await db.execute(stmt)).all()]


async def rising_candidates(
    db: AsyncSession, where: Sequence[ColumnElement[bool]], *, before: datetime, cap: int
) -> list[tuple[str, int, datetime, bool]]:
    """The newest `cap` live posts up to `before`: (id, score, created_at, is_pinned)."""
    stmt = (
        select(Post.id, Post.score, Post.created_at, Post.is_pinned)
        .where(Post.is_deleted.is_(False), Post.created_at <= before, *where)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(cap)
    )
    return [(r[0], r[1], r[2], r[3]) for r in (await db.execute(stmt)).all()]


async def rows_by_ids(db: AsyncSession, ids: Sequence[str]) -> dict[str, Row]:
    if not ids:
        return {}
    rows = (await db.execute(_joined().where(Post.id.in_(ids)))).all()
    return {r[0].id: (r[0], r[1], r[2]) for r in rows}


# A post with its author and submolt, as plain objects (db/read_lane.py): the cards' rebuilds.
CARD = Entities(Post, Agent, Submolt)
_CARDS = ReadQuery(
    lambda match: (
        select(*CARD.columns)
        .select_from(Post)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(match(Post.__table__.c.id, "ids"))
    )
)


async def cards_by_ids(read: Reader, ids: Sequence[str]) -> dict[str, tuple[Any, Any, Any]]:
    """`rows_by_ids` for a card's rebuild: (post, author, submolt) as plain objects, by post id."""
    if not ids:
        return {}
    found = {}
    for row in await read(_CARDS, {"ids": list(ids)}):
        post, author, submolt = CARD.split(row)
        found[post.id] = (post, author, submolt)
    return found


_VIEWER_VOTES = ReadQuery(
    lambda match: select(PostVote.post_id, PostVote.value).where(
        PostVote.agent_id == bindparam("agent_id"), match(PostVote.__table__.c.post_id, "post_ids")
    )
)


async def viewer_votes(read: Reader, agent_id: str, post_ids: Sequence[str]) -> dict[str, int]:
    """The viewer's votes on these posts (an overlay's, rebuilt after any vote on them)."""
    if not post_ids:
        return {}
    rows = await read(_VIEWER_VOTES, {"agent_id": agent_id, "post_ids": list(post_ids)})
    return {r[0]: int(r[1]) for r in rows}


async def count_pinned(db: AsyncSession, submolt_id: str) -> int:
    stmt = (
        select(func.count())
        .select_from(Post)
        .where(Post.submolt_id == submolt_id, Post.is_pinned.is_(True), Post.is_deleted.is_(False))
    )
    return int((await db.execute(stmt)).scalar_one())


async def set_pinned(db: AsyncSession, post_id: str, pinned: bool) -> None:
    await db.execute(update(Post).where(Post.id == post_id).values(is_pinned=pinned, updated_at=utcnow()))


async def bump_post_counters(db: AsyncSession, author_id: str, submolt_id: str, delta: int) -> dict[str, int]:
    """posts_count on the author and post_count on the submolt move together with the post.
    The author's row first, then the submolt's (the order every writer locks them in); the
    submolt, shared by everyone posting there, is the caller's last statement before its
    commit, so it is held for no other round trip. Returns the author's public counters after
    the move (the new post's embedded author shows them without a reload)."""
    result = await db.execute(
        update(Agent)
        .where(Agent.id == author_id)
        .values(posts_count=Agent.posts_count + delta)
        .returning(Agent.posts_count, Agent.karma, Agent.follower_count, Agent.following_count)
        .execution_options(synchronize_session=False, **COUNTERS_ONLY)
    )
    posts_count, karma, followers, following = result.one()
    values: dict[str, object] = {"post_count": Submolt.post_count + delta}
    if delta > 0:
        values["last_activity_at"] = utcnow()
    await db.execute(update(Submolt).where(Submolt.id == submolt_id).values(**values))
    return {"posts_count": posts_count, "karma": karma, "follower_count": followers, "following_count": following}


async def soft_delete(db: AsyncSession, post_id: str) -> bool:
    result = await db.execute(
        update(Post)
        .where(and_(Post.id == post_id, Post.is_deleted.is_(False)))
        .values(is_deleted=True, is_pinned=False, updated_at=utcnow())
    )
    return bool(cast(CursorResult[Any], result).rowcount)

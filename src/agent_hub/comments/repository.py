"""SQL for comments. A thread page costs four queries whatever its size: the page of roots
(ix_comments_post_roots), every descendant of those roots (ix_comments_root), the viewer's
votes on them, and the post check. Authors come joined in the first two."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, case, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.comments.keyset import SortKey, after, order_by
from agent_hub.comments.models import Comment
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt
from agent_hub.votes.models import CommentVote

_total = Comment.upvotes + Comment.downvotes
# Spec §7: (up + down) * (1 - |up - down| / max(up + down, 1)); high when votes are many and split.
CONTROVERSY = _total * (1.0 - cast(func.abs(Comment.upvotes - Comment.downvotes), Float)
                        / case((_total > 1, _total), else_=1))

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


async def insert(db: AsyncSession, comment: Comment, post: Post, now: datetime) -> None:
    """Add the comment and move every counter it affects, in the caller's transaction.

    Row locks are taken in one order everywhere in this domain (comment -> post -> agent ->
    submolt; votes take comment/post -> author), so a reply and a concurrent delete of its
    parent cannot deadlock."""
    db.add(comment)
    await db.flush()
    if comment.parent_id:
        await db.execute(
            update(Comment).where(Comment.id == comment.parent_id).values(reply_count=Comment.reply_count + 1)
        )
    await db.execute(update(Post).where(Post.id == post.id).values(comment_count=Post.comment_count + 1))
    await db.execute(
        update(Agent).where(Agent.id == comment.author_id).values(comments_count=Agent.comments_count + 1)
    )
    await db.execute(update(Submolt).where(Submolt.id == post.submolt_id).values(last_activity_at=now))


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
        update(Agent).where(Agent.id == comment.author_id).values(comments_count=Agent.comments_count - 1)
    )
    return True


async def page_roots(
    db: AsyncSession, post_id: str, sort: str, limit: int, *, offset: int = 0,
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


async def descendants(db: AsyncSession, root_ids: Sequence[str]) -> list[tuple[Comment, Agent]]:
    if not root_ids:
        return []
    stmt = (
        select(Comment, Agent)
        .join(Agent, Agent.id == Comment.author_id)
        .where(Comment.root_id.in_(list(root_ids)), Comment.depth > 0)
    )
    return [(c, a) for c, a in (await db.execute(stmt)).all()]


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


async def vote_of(db: AsyncSession, agent_id: str, comment_id: str) -> int | None:
    row = await db.execute(
        select(CommentVote.value).where(CommentVote.agent_id == agent_id, CommentVote.comment_id == comment_id)
    )
    value = row.scalar_one_or_none()
    return int(value) if value is not None else None

"""Comment use cases: add, thread listing, get, soft delete.

Decisions:
- `root_id` of a top-level comment is its own id, so "the whole thread under these roots" is
  one indexed `root_id IN (...)` query that also returns the roots' votes.
- Deleting is soft (content `[deleted]`, `is_deleted`), so replies keep their place. The
  post's `comment_count` and the author's `comments_count` count live comments and drop by
  one; the parent's `reply_count` counts child nodes and stays.
- `limit` and the cursor page over top-level comments; every page carries the complete
  subtrees of its roots, siblings ordered by the same sort.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents import trust
from agent_hub.agents.models import Agent
from agent_hub.agents.service import is_new
from agent_hub.comments import create, create_pg
from agent_hub.comments import repository as repo
from agent_hub.comments.create import plausible_id
from agent_hub.comments.keyset import dump_value, load_values, py_sort
from agent_hub.comments.models import Comment
from agent_hub.comments.schemas import MAX_CONTENT, SORTS, AuthorCache, CreateCommentRequest, comment_out
from agent_hub.common.pagination import clamp_limit, decode_cursor, encode_cursor
from agent_hub.db.base import new_id, utcnow
from agent_hub.db.read_lane import Reader, session_reader
from agent_hub.errors import BadRequest, Forbidden, NotFound, RateLimited
from agent_hub.inbox import service as inbox
from agent_hub.media import service as media
from agent_hub.ratelimit.enforce import Quotas

DEFAULT_LIMIT = 35
MAX_LIMIT = 100
MAX_OFFSET = 100_000


def _controversy(c: Comment) -> float:
    total = c.upvotes + c.downvotes
    return total * (1 - abs(c.upvotes - c.downvotes) / max(total, 1))


# Sibling order in Python, mirroring repository.ROOT_KEYS / CONTROVERSIAL_KEYS.
_PY_KEYS: dict[str, list[tuple[Any, bool]]] = {
    "best": [(lambda c: c.score, True), (lambda c: c.created_at, False), (lambda c: c.id, False)],
    "top": [(lambda c: c.score, True), (lambda c: c.created_at, False), (lambda c: c.id, False)],
    "new": [(lambda c: c.created_at, True), (lambda c: c.id, True)],
    "old": [(lambda c: c.created_at, False), (lambda c: c.id, False)],
    "controversial": [(_controversy, True), (lambda c: c.created_at, True), (lambda c: c.id, True)],
}


def normalise_sort(sort: str | None) -> str:
    sort = (sort or "best").strip().lower()
    return sort if sort in SORTS else "best"


def clean_text(value: str | None) -> str:
    """Trimmed, without NUL characters (PostgreSQL text cannot store them)."""
    return (value or "").replace("\x00", "").strip()


async def require_post(read: Reader, post_id: str) -> None:
    """404 unless the post's thread can be read: a removed post's thread still reads (the post
    itself reads as `[removed]`), a deleted post's is gone; comments on either are refused where
    they are made."""
    if not (plausible_id(post_id) and await repo.readable_post(read, post_id)):
        raise NotFound("Post not found", "Check the post id")


def _page_params(sort: str, limit: int, cursor: str | None, offset: int) -> tuple[str, int, int, list[Any] | None]:
    """(sort, limit, offset, keyset values to start after) of a page request."""
    sort = normalise_sort(sort)
    limit = clamp_limit(limit, DEFAULT_LIMIT, MAX_LIMIT)
    offset = min(max(offset or 0, 0), MAX_OFFSET)
    state = decode_cursor(cursor)
    after_values = None
    if state is not None:
        if repo.ROOT_KEYS[sort] is not None and "k" in state:
            after_values = load_values(repo.ROOT_KEYS[sort] or [], state["k"])
            offset = 0
        elif isinstance(state.get("o"), int) and 0 <= state["o"] <= MAX_OFFSET:
            offset = state["o"]
        else:
            raise BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")
    return sort, limit, offset, after_values


def _next_cursor(sort: str, last: Any, offset: int, limit: int) -> str:
    keys = repo.ROOT_KEYS[sort]
    if keys is not None:
        return encode_cursor({"k": [dump_value(getattr(last, col.key)) for col, _ in keys]})
    return encode_cursor({"o": offset + limit})


async def comment_page(
    db: AsyncSession,
    viewer: Agent | None,
    post_id: str,
    *,
    sort: str = "best",
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], bool, str | None]:
    """One page of a post's thread: (roots with nested replies, has_more, next_cursor).
    The post is not checked here; callers do that."""
    sort, limit, offset, after_values = _page_params(sort, limit, cursor, offset)
    rows = await repo.page_roots(db, post_id, sort, limit + 1, offset=offset, after_values=after_values)
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _next_cursor(sort, rows[-1][0], offset, limit) if has_more else None
    root_ids = [c.id for c, _ in rows]
    below = await repo.descendants(session_reader(db), root_ids)
    votes = await repo.viewer_votes(db, viewer.id, root_ids) if viewer is not None and root_ids else {}
    return _assemble(rows, below, votes, sort), has_more, next_cursor


async def root_page(
    read: Reader, post_id: str, *, sort: str, limit: int, cursor: str | None = None, offset: int = 0
) -> tuple[list[str], bool, str | None]:
    """`comment_page`'s roots only: (their ids, has_more, next_cursor)."""
    sort, limit, offset, after_values = _page_params(sort, limit, cursor, offset)
    rows = await repo.page_root_keys(read, post_id, sort, limit + 1, offset=offset, after_values=after_values)
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _next_cursor(sort, rows[-1], offset, limit) if has_more else None
    return [r.id for r in rows], has_more, next_cursor


async def subtrees(read: Reader, root_ids: list[str], sort: str) -> dict[str, dict[str, Any]]:
    """The anonymous view of these top-level comments with their replies, by id (a removed one
    is missing)."""
    rows = await repo.roots_by_ids(read, root_ids)
    below = await repo.descendants(read, [c.id for c, _ in rows])
    return {item["id"]: item for item in _assemble(rows, below, {}, normalise_sort(sort))}


def _assemble(
    roots: Sequence[tuple[Any, Any]], below: Sequence[tuple[Any, Any]], votes: dict[str, int], sort: str
) -> list[dict[str, Any]]:
    """Top-level comments (with their authors) and every reply under them, as nested dicts in
    `sort`, carrying the viewer's `votes`."""
    authors = AuthorCache()
    children: dict[str, list[Comment]] = {}
    author_of: dict[str, Agent] = {}
    for comment, agent in below:
        children.setdefault(comment.parent_id or "", []).append(comment)
        author_of[comment.id] = agent
    for comment, agent in roots:
        author_of[comment.id] = agent
    keys = _PY_KEYS[sort]

    def build(comment: Comment) -> dict[str, Any]:
        out = comment_out(comment, authors(author_of[comment.id]), votes.get(comment.id))
        kids = children.get(comment.id)
        if kids:
            out["replies"] = [build(child) for child in py_sort(kids, keys)]
        return out

    return [build(comment) for comment, _ in roots]


async def comment_tree(
    db: AsyncSession, viewer: Agent | None, post_id: str, sort: str = "best", limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """The first page of a post's threaded comments (for `GET /posts/{id}`)."""
    items, _, _ = await comment_page(db, viewer, post_id, sort=sort, limit=limit)
    return items


async def _consume_limits(quotas: Quotas, agent: Agent) -> list[str | None]:
    """Cooldown and daily quota (new agents get the stricter pair; trusted agents and the owner
    their own, agents/trust.py). The cooldown's 429 also says how many comments are left today
    (`daily_remaining`, live shape)."""
    quotas = trust.quotas_for(quotas, agent)
    limits = quotas.limits
    fresh = is_new(agent)
    cooldown = limits.comment_cooldown_new_agent if fresh else limits.comment_cooldown
    daily = limits.comments_daily_new_agent if fresh else limits.comments_daily
    subject = "agent:" + agent.id
    remaining = await quotas.remaining(daily, subject) if daily is not None else None
    cooldown_token = await quotas.consume(cooldown, subject, daily_remaining=remaining)
    try:
        daily_token = await quotas.consume(
            daily, subject, daily_remaining=0, hint="You have used today's comments; try again tomorrow"
        )
    except RateLimited:
        await quotas.refund(cooldown_token)
        raise
    return [cooldown_token, daily_token]


async def add_comment(
    db: AsyncSession | None,
    agent: Agent,
    post_id: str,
    body: CreateCommentRequest | None,
    quotas: Quotas,
    *,
    lane: create_pg.Lane | None,
) -> dict[str, Any]:
    """Create a comment or reply, in `db`'s transaction — or, on PostgreSQL when the router gives
    a `lane` (nothing else must commit with it), as one statement on the write lane."""
    body = body or CreateCommentRequest()
    content = clean_text(body.content)
    if not content:
        raise BadRequest("Content is required", "Send a non-empty 'content' (up to 10,000 characters)")
    if len(content) > MAX_CONTENT:
        raise BadRequest("Content too long", "Comments are at most 10,000 characters")
    if not plausible_id(post_id):
        raise NotFound("Post not found", "Check the post id")
    parent_id = body.parent_id or body.parentId or None
    values = {"id": new_id(), "post_id": post_id, "parent_id": parent_id, "author_id": agent.id, "content": content}
    tokens = await _consume_limits(quotas, agent)
    try:
        if lane is not None or (db is not None and db.get_bind().dialect.name == "postgresql"):
            created = await create_pg.create_comment(db, lane, agent, values)
        else:
            assert db is not None, "SQLite writes comments in the request's session"
            created = await _create_sqlite(db, agent, values)
    except BaseException:
        for token in tokens:
            await quotas.refund(token)
        raise
    comment, author_id, author_name, following = created
    others = author_name is not None and author_id != agent.id
    following = others and following
    suggestion = None
    if others and not following:
        suggestion = f"Enjoying {author_name}'s posts? Follow them: POST /api/v1/agents/{author_name}/follow"
    return {
        "success": True,
        "message": "Comment added! 🦞",
        "comment": comment_out(comment, AuthorCache()(agent)),
        "post_author": {"name": author_name},
        "already_following_author": following,
        "suggestion": suggestion,
    }


async def _create_sqlite(db: AsyncSession, agent: Agent, values: dict[str, Any]) -> create_pg.Created:
    """SQLite (one writer at a time): read the facts, decide with the rules both engines share
    (`create.py`), write step by step in the request's transaction, in the same lock order as
    the PostgreSQL statement."""
    post_id, parent_id = values["post_id"], values["parent_id"]
    ctx = await repo.write_context(db, post_id, agent.id, parent_id if parent_id and plausible_id(parent_id) else None)
    facts = None
    if ctx is not None:
        facts = create.Facts(
            post_id=ctx.id,
            is_locked=bool(ctx.is_locked),
            post_author_id=ctx.author_id,
            author_name=ctx.name,
            submolt_id=ctx.submolt_id,
            following=bool(ctx.following),
            parent_post_id=ctx.parent_post_id,
            parent_depth=ctx.parent_depth,
            parent_root_id=ctx.parent_root_id,
            parent_author_id=ctx.parent_author_id,
            watchers=ctx.watchers.split(",") if ctx.watchers else (),
            mentioned=[a.id for a in await inbox.mentioned_agents(db, values["content"])],
        )
    create.refuse(create.check(facts, parent_id))
    assert facts is not None
    now = utcnow()
    root_id, depth = create.place(facts, values["id"], parent_id)
    values = {**values, "root_id": root_id, "depth": depth}
    await repo.insert(db, values, facts.submolt_id, now)
    events.emit(db, create.comment_changed(post_id, values["id"], root_id))
    comment = create.transient_comment(values, now)
    recipients = create.recipients(facts, agent.id, parent_id)
    await inbox.notify_comment(db, comment=comment, actor=agent, recipients=recipients)
    return comment, facts.post_author_id, facts.author_name, facts.following


async def get_comment(db: AsyncSession, viewer: Agent | None, comment_id: str) -> dict[str, Any]:
    found = await repo.get_with_author(db, comment_id) if plausible_id(comment_id) else None
    if found is None:
        raise NotFound("Comment not found", "Check the comment id")
    comment, author = found
    vote = await repo.vote_of(db, viewer.id, comment.id) if viewer is not None else None
    out = comment_out(comment, AuthorCache()(author), vote)
    del out["replies"]
    return out


async def delete_comment(db: AsyncSession, agent: Agent, comment_id: str) -> None:
    comment = await repo.get(db, comment_id) if plausible_id(comment_id) else None
    if comment is None:
        raise NotFound("Comment not found", "Check the comment id")
    if comment.author_id != agent.id:
        raise Forbidden("You can only delete your own comments", "Only the author can delete a comment")
    await repo.soft_delete(db, comment, utcnow())
    events.emit(db, create.comment_changed(comment.post_id, comment.id, comment.root_id))
    await inbox.on_comment_deleted(db, comment.id)
    await media.on_target_deleted(db, Comment, comment.id)

"""Post use cases: create, read one, soft delete, pin and unpin."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from agent_hub import events, metrics
from agent_hub.agents import service as agents_service
from agent_hub.agents import trust
from agent_hub.agents.models import Agent
from agent_hub.comments.service import comment_tree
from agent_hub.db import batcher as db_batcher
from agent_hub.db.base import new_id, utcnow
from agent_hub.db.lane import in_session
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.inbox.mentions import parse_mentions
from agent_hub.media import service as media
from agent_hub.moderation import bans
from agent_hub.moderation import repository as modlog
from agent_hub.posts import create_sql
from agent_hub.posts import repository as repo
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import hot_score
from agent_hub.posts.schemas import CreatePostRequest, PostOut, post_out
from agent_hub.ratelimit.enforce import Quotas
from agent_hub.submolts.models import Submolt

TITLE_MAX = 300
CONTENT_MAX = 40_000
URL_MAX = 2048
POST_TYPES = ("text", "link", "image")
MAX_PINNED = 3


def post_not_found() -> NotFound:
    return NotFound("Post not found", "Check the post id; the post may have been deleted")


def _clean_url(raw: str | None) -> str | None:
    url = (raw or "").strip()
    if not url:
        return None
    if len(url) > URL_MAX:
        raise BadRequest(f"URL must be {URL_MAX} characters or less", "Shorten the link")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise BadRequest("Invalid URL", "Use an absolute http:// or https:// URL")
    return url


def validate_new_post(body: CreatePostRequest) -> dict[str, Any]:
    """The live rules: submolt and title required; content and url both optional, both allowed;
    a post with a url is a link post unless it says it is an image."""
    submolt = (body.submolt_name or body.submolt or "").strip()
    title = (body.title or "").strip()
    if not submolt or not title:
        raise BadRequest("Missing required fields", "Provide submolt and title")
    if len(title) > TITLE_MAX:
        raise BadRequest(f"Title must be {TITLE_MAX} characters or less", "Shorten the title")
    content = body.content if body.content is not None and body.content.strip() else None
    if content is not None and len(content) > CONTENT_MAX:
        raise BadRequest(f"Content must be {CONTENT_MAX:,} characters or less", "Shorten the post")
    url = _clean_url(body.url if body.url is not None else body.link_url)
    kind = (body.type or "").strip().lower() or ("link" if url else "text")
    if kind not in POST_TYPES:
        raise BadRequest("Invalid post type", "Use one of: text, link, image")
    if kind in ("link", "image") and url is None:
        raise BadRequest(f"A {kind} post needs a url", "Send url (or link_url) with an http(s) URL")
    if kind == "text" and url is not None:
        kind = "link"
    return {"submolt": submolt, "title": title, "content": content, "url": url, "post_type": kind}


Lane = db_batcher.Lane[create_sql.Outcome]


def batchable(author: Agent, body: CreatePostRequest) -> bool:
    """Whether a post may be written on the lane, by its statement alone: its author has no ban
    to check (rare, `Agent.has_bans`) and it mentions nobody to notify (the inbox writes those,
    in the request's transaction)."""
    return not author.has_bans and not parse_mentions(body.title, body.content)


async def create_post(
    db: AsyncSession | None, author: Agent, body: CreatePostRequest, quotas: Quotas, *, lane: Lane | None = None
) -> PostOut:
    """Create a post — on PostgreSQL's write lane when the router gives a `lane` (nothing else
    must commit with it, `batchable`), else in `db`'s transaction."""
    fields = validate_new_post(body)
    submolt_name = fields.pop("submolt").lower()
    if db is not None and author.has_bans:
        submolt = await repo.submolt_by_name(db, submolt_name)
        if submolt is not None:
            await bans.ensure_not_banned(db, author, submolt_id=submolt.id)
    quotas = trust.quotas_for(quotas, author)
    limits = quotas.limits
    rule = limits.posts_new_agent if agents_service.is_new(author) else limits.posts
    token = await quotas.consume(rule, "agent:" + author.id)
    try:
        if lane is not None:
            post, submolt_ref = await _create_on_lane(lane, author, fields, submolt_name)
        else:
            assert db is not None, "a post is written on the lane or in a session"
            post, submolt_ref = await _create_in_session(db, author, fields, submolt_name)
    except BaseException:
        await quotas.refund(token)
        raise
    return post_out(post, author, submolt_ref)


def _new_post(author: Agent, fields: dict[str, Any], now: datetime) -> Post:
    """The post as written (a transient instance on PostgreSQL: the statement wrote its row)."""
    return Post(
        id=new_id(),
        author_id=author.id,
        created_at=now,
        hot_score=hot_score(0, now),
        upvotes=0,
        downvotes=0,
        score=0,
        comment_count=0,
        is_pinned=False,
        is_locked=False,
        is_deleted=False,
        **fields,
    )


def _row(post: Post, submolt_name: str) -> dict[str, Any]:
    """The statement's row for `post` (`create_sql.write_batch`)."""
    return {
        "id": post.id,
        "submolt": submolt_name,
        "author_id": post.author_id,
        "title": post.title,
        "content": post.content,
        "url": post.url,
        "post_type": post.post_type,
        "hot_score": post.hot_score,
        "now": post.created_at,
    }


def _created(post: Post, author: Agent, outcome: create_sql.Outcome) -> tuple[Post, Submolt]:
    """A written post's submolt, and its author showing the counters the write left."""
    if not outcome.written:
        raise submolt_not_found()
    submolt = Submolt(**outcome.submolt)
    post.submolt_id = submolt.id
    for name, value in outcome.author_counters.items():
        set_committed_value(author, name, value)
    return post, submolt


def _effects(post: Post, submolt_name: str, author: Agent) -> list[events.Event]:
    """A new post's events: the caches of every listing showing it, its author's profile and
    the searchable text; the realtime `post_created` for clients watching its submolt."""
    return [listed_or_unlisted(post), *inbox.post_created_signals(post, submolt_name, author)]


async def _create_on_lane(lane: Lane, author: Agent, fields: dict[str, Any], submolt_name: str) -> tuple[Post, Submolt]:
    made: dict[str, Post] = {}

    def prepare(now: datetime) -> dict[str, Any]:
        made["post"] = post = _new_post(author, fields, now)  # created when its batch is sent
        return _row(post, submolt_name)

    def effects_of(outcome: create_sql.Outcome) -> list[events.Event]:
        if not outcome.written:
            return []
        post = made["post"]
        post.submolt_id = outcome.submolt["id"]
        return _effects(post, outcome.submolt["name"], author)

    outcome = await lane.submit(prepare, effects_of)  # committed, signalled, caches bumped
    post, submolt = _created(made["post"], author, outcome)
    metrics.AGENT_POSTS.labels(author.type).inc()
    return post, submolt


async def _create_in_session(
    db: AsyncSession, author: Agent, fields: dict[str, Any], submolt_name: str
) -> tuple[Post, Submolt]:
    post = _new_post(author, fields, utcnow())
    if db.get_bind().dialect.name == "postgresql":  # the lane's statement, in this transaction
        fetch = in_session(db)

        (outcome,) = await create_sql.write_batch(fetch, [_row(post, submolt_name)], index_jobs=False)
        post, submolt = _created(post, author, outcome)
    else:  # SQLite (one writer at a time): step by step, in the statement's lock order
        found = await repo.submolt_by_name(db, submolt_name)
        if found is None:
            raise submolt_not_found()
        submolt = found
        post.submolt_id = submolt.id
        db.add(post)
        await db.flush()
        await inbox.watch_new_post(db, author.id, post.id)  # rows of its own first: no shared row held yet
        counters = await repo.bump_post_counters(db, author.id, submolt.id, +1)
        for name, value in counters.items():
            set_committed_value(author, name, value)
    await inbox.notify_mentions(db, post=post, actor=author)
    events.emit(db, *_effects(post, submolt.name, author))
    events.after_commit(db, metrics.AGENT_POSTS.labels(author.type).inc)
    return post, submolt


def submolt_not_found() -> NotFound:
    return NotFound("Submolt not found", "Check the submolt name, or create it with POST /submolts")


def listed_or_unlisted(post: Post) -> events.ContentChanged:
    """A post came or went: every listing of its submolt and the global ones, its own page,
    its author's post count, the searchable text."""
    return events.ContentChanged(
        post_id=post.id, submolt_id=post.submolt_id, listing="all", agents=(post.author_id,), text=True
    )


async def comments_for_post(db: AsyncSession, viewer: Agent | None, post_id: str) -> list[dict[str, Any]]:
    """The threaded comments shown with a single post (live: a sibling `comments` array); the
    comments domain owns the tree, its sort and the caller's comment votes."""
    return await comment_tree(db, viewer, post_id, sort="best", limit=35)


async def delete_post(db: AsyncSession, agent: Agent, post_id: str) -> None:
    """Soft delete: the row stays (comments and votes keep their targets) but it leaves every
    listing, and the author's and submolt's post counters drop. Karma already earned stays,
    as on Reddit and Moltbook."""
    post = await repo.lock_post(db, post_id)
    if post is None:
        raise post_not_found()
    if post.author_id != agent.id:
        raise Forbidden("You can only delete your own posts", "Only the author can delete a post")
    if await repo.soft_delete(db, post.id):
        await repo.bump_post_counters(db, post.author_id, post.submolt_id, -1)
        events.emit(db, listed_or_unlisted(post))
        await inbox.on_post_deleted(db, post.id)
        await media.on_target_deleted(db, Post, post.id)


async def _moderated_post(db: AsyncSession, agent: Agent, post_id: str) -> repo.Row:
    """The post, if `agent` moderates its submolt: an owner or moderator in the moderators
    table, the submolt's creator, or the hub's human owner (who runs every community)."""
    row = await repo.get_row(db, post_id)
    if row is None:
        raise post_not_found()
    submolt = row[2]
    if agent.type != "human" and submolt.created_by != agent.id:
        role = await repo.moderator_role(db, submolt.id, agent.id)
        if role not in ("owner", "moderator"):
            raise Forbidden("Only submolt owners and moderators can pin posts", f"Ask a moderator of m/{submolt.name}")
    return row


async def set_pin(db: AsyncSession, agent: Agent, post_id: str, pinned: bool) -> tuple[str, PostOut]:
    post, author, submolt = await _moderated_post(db, agent, post_id)
    # Lock the submolt so two moderators pinning at once cannot both take the last slot.
    await repo.lock_submolt(db, submolt.id)
    if pinned and not post.is_pinned:
        if await repo.count_pinned(db, submolt.id) >= MAX_PINNED:
            raise BadRequest(f"A submolt can have at most {MAX_PINNED} pinned posts", "Unpin another post first")
        await repo.set_pinned(db, post.id, True)
        message = "Post pinned! 📌"
    elif pinned:
        message = "Post is already pinned"
    elif post.is_pinned:
        await repo.set_pinned(db, post.id, False)
        message = "Post unpinned"
    else:
        message = "Post was not pinned"
    events.emit(db, events.ContentChanged(post_id=post.id, submolt_id=submolt.id, listing="all"))
    if message in ("Post pinned! 📌", "Post unpinned"):
        await modlog.record(
            db, agent, "pin" if pinned else "unpin", "post", post.id, subject_id=author.id, submolt_id=submolt.id
        )
    await db.refresh(post)
    return message, post_out(post, author, submolt)

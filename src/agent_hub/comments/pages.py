"""A post's thread as a cached read: one page of top-level comments with their replies.

The comments router serves it as `GET /posts/{id}/comments`, and the post page
(`posts/pages.py`) lays its first page (`best`, the default limit) beside the post's card: one
build of the thread serves both.

A page is cached on two levels, as listings are (`posts/pages.py`), so that a comment rebuilds
only what it changed:
- its index — which top-level comments, in which order, and the paging envelope — under the
  post's `post:` tag (a comment or a vote anywhere in the thread may reorder it). One query of
  ids and sort keys.
- each top-level comment's subtree (it and its replies, in the page's sort) under its own
  `root:` tag (a reply came, or something in it changed or went), the post's `votes:` tag (a
  vote anywhere in the thread: scores and order) and its authors' tags.
A new comment on a busy thread therefore costs each page showing it one index query; when the
page shows the same comments as before (a new top-level comment ranks after a full first page
in `best`), the page is the same bytes, and neither the post page nor any viewer's overlay of it
is built again.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import metrics
from agent_hub.cache import cached_read, tags
from agent_hub.cache.reads import CachedRead, assembled, authors_of, build_shared, enabled_cache, rows_reader
from agent_hub.cache.store import Entry, ResponseCache
from agent_hub.cache.version import versions
from agent_hub.comments import service as svc
from agent_hub.common.pagination import clamp_limit
from agent_hub.db.read_lane import session_reader


async def thread(
    request: Request,
    db: AsyncSession,
    post_id: str,
    *,
    sort: str | None = "best",
    limit: int | None = None,
    cursor: str | None = None,
    offset: int = 0,
) -> CachedRead:
    """The anonymous view of one page of `post_id`'s thread (the caller's votes are laid over
    it by the router). 404 when the post cannot be read."""
    key = thread_key(post_id, sort, limit, cursor, offset)
    sort, limit = key[2], key[3]
    cache = enabled_cache(request)
    if cache is None or await versions(request, ()) is None:

        async def build() -> dict[str, Any]:
            await svc.require_post(session_reader(db), post_id)
            items, has_more, next_cursor = await svc.comment_page(
                db, None, post_id, sort=sort, limit=limit, cursor=cursor, offset=offset
            )
            return _envelope(post_id, sort, items, len(items), has_more, next_cursor)

        return await cached_read(request, key, build)  # no cache for this request: built whole

    async def build_index() -> dict[str, Any]:
        read = rows_reader(request, db)
        await svc.require_post(read, post_id)
        ids, has_more, next_cursor = await svc.root_page(
            read, post_id, sort=sort, limit=limit, cursor=cursor, offset=offset
        )
        return {"ids": ids, "has_more": has_more, "next_cursor": next_cursor}

    index = await cached_read(request, key, build_index, tags=(tags.post(post_id),))
    ids: list[str] = index.payload["ids"]
    subtrees = await _subtrees(request, db, cache, post_id, sort, ids)
    shown = [subtrees[i] for i in ids if i in subtrees]
    # What the page is made of: equal stamps, equal bytes (an index rebuilt by a comment that
    # did not land on this page gives the same stamp, so what is built on it stays valid).
    stamp: tuple[object, ...] = (
        "thread",
        index.epoch,
        tuple(ids),
        index.payload["has_more"],
        index.payload["next_cursor"],
        *(e.built_at for e in shown),
    )
    page_key = ("thread_page", key)

    def assemble() -> Entry:
        comments = b"[" + b",".join(e.body for e in shown) + b"]"
        more, cursor_ = index.payload["has_more"], index.payload["next_cursor"]
        body = orjson.dumps(_envelope(post_id, sort, orjson.Fragment(comments), len(shown), more, cursor_))
        all_tags = tuple(sorted(set(index.tags).union(*(e.tags for e in shown))))
        built_at = min([index.built_at or 0, *(e.built_at for e in shown)])
        return Entry(body, all_tags, index.epoch, built_at, stamp=stamp, parts=_span(body, comments))

    return assembled(cache, page_key, cache.peek(page_key), stamp, assemble)


def comments_json(read: CachedRead) -> bytes:
    """The JSON array of a thread page's comments, for a page that embeds it (the post page):
    cut out of the page's bytes where its assembly left their span, else encoded again."""
    if isinstance(read.parts, tuple):
        start, end = read.parts
        return read.body[start:end]
    return orjson.dumps(read.payload["comments"], option=orjson.OPT_NON_STR_KEYS)


def _span(body: bytes, comments: bytes) -> tuple[int, int] | None:
    """Where `comments` sits in the page `body` (its value of "comments", the first key of
    that name: the keys before it, "post_id" and "sort", hold JSON strings, whose quotes are
    escaped), or None if it is not found there."""
    start = body.find(b'"comments":') + len(b'"comments":')
    end = start + len(comments)
    return (start, end) if body[start:end] == comments else None


def thread_key(
    post_id: str, sort: str | None, limit: int | None, cursor: str | None, offset: int
) -> tuple[str, str, str, int, str | None, int]:
    """The key `thread` caches that page under (the caller's overlay is keyed by it too). Sort
    and limit normalised: every spelling of one page (no limit, the default limit) is one entry."""
    return (
        "comments",
        post_id,
        svc.normalise_sort(sort),
        clamp_limit(limit, svc.DEFAULT_LIMIT, svc.MAX_LIMIT),
        cursor,
        offset,
    )


def _envelope(
    post_id: str, sort: str, items: list[Any] | orjson.Fragment, count: int, has_more: bool, next_cursor: str | None
) -> dict[str, Any]:
    return {
        "success": True,
        "post_id": post_id,
        "sort": sort,
        "comments": items,
        "count": count,
        "has_more": has_more,
        "next_cursor": next_cursor,
    }


async def _subtrees(
    request: Request, db: AsyncSession, cache: ResponseCache, post_id: str, sort: str, ids: list[str]
) -> dict[str, Entry]:
    """The subtrees of these top-level comments in `sort`: cached ones still valid, the others
    built (one query for the roots, one for their replies)."""
    keys: dict[str, Hashable] = {i: ("subtree", i, sort) for i in ids}
    held = {i: cache.peek(k) for i, k in keys.items()}
    view = await versions(request, {t for e in held.values() if e is not None for t in e.tags} or {tags.EVERYTHING})
    if view is None:
        raise RuntimeError("versions vanished within one request")  # read a moment ago, memoised
    found: dict[str, Entry] = {}
    for root_id, entry in held.items():
        if entry is not None and view.valid(entry.tags, entry.epoch, entry.built_at):
            cache.hit(keys[root_id], count=False)
            found[root_id] = entry
        else:
            cache.miss(keys[root_id], entry, count=False)
    missing = [i for i in ids if i not in found]
    if not missing:
        return found
    built_at = view.gen  # read before the queries: a write landing meanwhile leaves them stale

    async def build(own: list[str]) -> dict[str, Entry]:
        items = await svc.subtrees(rows_reader(request, db), own, sort)
        metrics.READ_CACHE_BUILDS.labels("subtree").inc(len(items))
        built = {}
        for root_id, item in items.items():
            subtree_tags = {tags.EVERYTHING, tags.votes(post_id), tags.root(root_id), *authors_of([item], "replies")}
            body = orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS)
            built[root_id] = Entry(body, tuple(sorted(subtree_tags)), view.epoch, built_at)
        return built

    # One build per subtree at a time: a cold or just-invalidated page is asked for by every
    # request in flight at once.
    found.update(await build_shared(request, cache, {i: keys[i] for i in missing}, built_at, build))
    return found

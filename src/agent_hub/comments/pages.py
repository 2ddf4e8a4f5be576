"""A post's thread as a cached read: one page of top-level comments with their replies.

The comments router serves it as `GET /posts/{id}/comments`, and the post page
(`posts/pages.py`) lays its first page (`best`, the default limit) beside the post's card: one
build of the thread serves both, and a comment on the post rebuilds it once, not once per page
that shows it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.cache import cached_read, tags
from agent_hub.cache.reads import CachedRead, authors_of
from agent_hub.comments import service as svc
from agent_hub.common.pagination import clamp_limit


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

    async def build() -> dict[str, Any]:
        await svc.require_post(db, post_id)
        items, has_more, next_cursor = await svc.comment_page(
            db, None, post_id, sort=sort, limit=limit, cursor=cursor, offset=offset
        )
        return {
            "success": True,
            "post_id": post_id,
            "sort": sort,
            "comments": items,
            "count": len(items),
            "has_more": has_more,
            "next_cursor": next_cursor,
        }

    return await cached_read(
        request, key, build, tags=(tags.post(post_id),), tags_of=lambda page: authors_of(page["comments"], "replies")
    )


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

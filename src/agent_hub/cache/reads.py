"""`cached_read`: serve a viewer-independent payload from the cache or build it; overlays.

Builders must not depend on the caller: they build the anonymous view, and the caller's own
votes (`userVote`/`user_vote`, the only per-viewer fields of these reads) are laid over it by
`with_votes`. When the caller has no vote on anything shown, the cached bytes go out as they
are, with no JSON encoding at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from agent_hub.cache.version import versions_now
from agent_hub.http.responses import JsonResponse

Build = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(slots=True)
class CachedRead:
    payload: dict[str, Any]  # shared with the cache: never mutate, copy (see with_votes)
    body: bytes

    def response(self, payload: dict[str, Any] | None = None) -> Response:
        if payload is None or payload is self.payload:
            return Response(self.body, media_type="application/json")
        return JsonResponse(payload)


async def cached_read(request: Request, key: Hashable, build: Build) -> CachedRead:
    cache = getattr(request.app.state, "read_cache", None)
    version = None
    if cache is not None and cache.enabled:
        # Read the version before building: a write that lands meanwhile bumps it past the
        # one this entry is stored under, so the entry can only be too fresh, never stale.
        now = await versions_now(request)
        version = now.content if now is not None else None
        if version is not None:
            entry = cache.get(key, version)
            if entry is not None:
                return CachedRead(entry.payload, entry.body)
    payload = await build()
    body = orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    if version is not None:
        cache.put(key, version, payload, body)
    return CachedRead(payload, body)


async def cached_votes(request: Request, kind: str, viewer_id: str, ids: list[str],
                       fetch: Callable[[], Awaitable[dict[str, int]]]) -> dict[str, int]:
    """The caller's votes on the items of a page, cached like the page (votes are content)."""
    cache = getattr(request.app.state, "read_cache", None)
    now = await versions_now(request) if cache is not None and cache.enabled else None
    key = ("votes", kind, viewer_id, tuple(ids))
    if now is not None:
        entry = cache.get(key, now.content)
        if entry is not None:
            return entry.payload
    votes = await fetch()
    if now is not None:
        cache.put(key, now.content, votes, b"", cost=200 + 100 * len(ids))
    return votes


def with_votes(items: list[dict[str, Any]], votes: dict[str, int], nested: str | None = None) -> list[dict[str, Any]]:
    """Copies of `items` (and of their `nested` children, recursively) carrying the caller's
    votes. The cached dicts stay untouched."""
    out = []
    for item in items:
        copy = dict(item)
        vote = votes.get(item["id"])
        copy["userVote"] = copy["user_vote"] = vote
        if nested and item.get(nested):
            copy[nested] = with_votes(item[nested], votes, nested)
        out.append(copy)
    return out

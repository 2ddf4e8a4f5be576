"""`cached_read`: serve a viewer-independent payload from the cache or build it; overlays.

Builders must not depend on the caller: they build the anonymous view, and the caller's own
votes (`userVote`/`user_vote`, the only per-viewer fields of these reads) are laid over it by
`as_viewer` + `with_votes`. When the caller has no vote on anything shown, the shared cached
bytes go out as they are, with no JSON encoding at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from agent_hub.cache.version import versions_now

Build = Callable[[], Awaitable[dict[str, Any]]]


class CachedRead:
    """A read's JSON bytes, and its parsed payload on demand. The cache keeps only the bytes:
    bytes are one allocation the garbage collector never traverses, where the parsed payload
    would be thousands of dicts, slowing every full collection (and p99 with it)."""

    __slots__ = ("body", "_payload")

    def __init__(self, body: bytes, payload: dict[str, Any] | None = None) -> None:
        self.body = body
        self._payload = payload

    @property
    def payload(self) -> dict[str, Any]:
        """Parsed once per request that needs it (overlays copy; never mutate it)."""
        if self._payload is None:
            self._payload = orjson.loads(self.body)
        return self._payload

    def response(self) -> Response:
        return Response(self.body, media_type="application/json")


async def cached_read(request: Request, key: Hashable, build: Build, *, inbox: bool = False) -> CachedRead:
    """`inbox=True`: the read also shows notifications (an inbox page; `key` names its owner),
    so it is valid for the inbox version as well as the content version."""
    cache = getattr(request.app.state, "read_cache", None)
    version: object = None
    if cache is not None and cache.enabled:
        # Read the version before building: a write that lands meanwhile bumps it past the
        # one this entry is stored under, so the entry can only be too fresh, never stale.
        now = await versions_now(request)
        if now is not None:
            version = (now.content, now.inbox) if inbox else now.content
        if version is not None:
            entry = cache.get(key, version)
            if entry is not None:
                return CachedRead(entry.body)
            shared = await _join_flight(cache.flights.get((key, version)))
            if shared is not None:
                return shared
    if version is None:
        return await _build(build)
    # One build per key and version: after a write, the burst of requests that all miss
    # waits for the first one's page instead of each building the same page.
    flight: asyncio.Future[CachedRead] = asyncio.get_running_loop().create_future()
    cache.flights[(key, version)] = flight
    try:
        read = await _build(build)
    except BaseException as exc:
        if isinstance(exc, Exception):
            flight.set_exception(exc)
            flight.exception()  # retrieved: waiters build for themselves (see _join_flight)
        else:  # cancelled (the client went away) or shutting down
            flight.cancel()
        raise
    finally:
        cache.flights.pop((key, version), None)
    flight.set_result(read)
    cache.put(key, version, read.body)
    return read


async def _build(build: Build) -> CachedRead:
    payload = await build()
    return CachedRead(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS), payload)


async def _join_flight(flight: asyncio.Future[CachedRead] | None) -> CachedRead | None:
    """The page another request is building, or None (no build under way, or it failed:
    then the caller builds, and gets its own error if there is one, e.g. its own 404)."""
    if flight is None:
        return None
    try:
        return await asyncio.shield(flight)
    except asyncio.CancelledError:
        if flight.cancelled():  # the builder's client went away, not ours
            return None
        raise
    except Exception:
        return None


async def as_viewer(
    request: Request,
    key: Hashable,
    viewer_id: str,
    read: CachedRead,
    overlay: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]],
) -> Response:
    """`read` as the caller sees it. `overlay(payload)` returns a copy carrying the caller's
    votes, or None when they have none on it. Its bytes are cached per caller, under the same
    content version as the read (votes are content), so a repeated poll re-encodes nothing."""
    cache = getattr(request.app.state, "read_cache", None)
    now = await versions_now(request) if cache is not None and cache.enabled else None
    personal_key = ("as_viewer", key, viewer_id)
    if now is not None:
        entry = cache.get(personal_key, now.content)
        if entry is not None:
            return Response(entry.body or read.body, media_type="application/json")
    personal = await overlay(read.payload)
    body = orjson.dumps(personal, option=orjson.OPT_NON_STR_KEYS) if personal is not None else b""
    if now is not None:
        cache.put(personal_key, now.content, body)  # b"": no votes here
    return Response(body or read.body, media_type="application/json")


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

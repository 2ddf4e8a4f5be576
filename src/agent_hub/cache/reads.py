"""`cached_read`: serve a viewer-independent payload from the cache or build it; overlays.

Builders must not depend on the caller: they build the anonymous view, and the caller's own
votes (`userVote`/`user_vote`, the only per-viewer fields of these reads) are laid over it by
`as_viewer` + `with_votes`. When the caller has no vote on anything shown, the shared cached
bytes go out as they are, with no JSON encoding at all.

Each read names its tags (cache/tags.py): the ones known before building (`tags`) and the ones
its payload reveals (`tags_of(payload)`, e.g. the authors shown). The entry is valid until a
write bumps one of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Hashable, Iterable, Sequence
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from agent_hub import metrics
from agent_hub.cache.store import Entry, ResponseCache
from agent_hub.cache.tags import EVERYTHING, votes
from agent_hub.cache.version import View, versions
from agent_hub.db.read_lane import Reader, session_reader
from agent_hub.db.uow import has_written, release_connection

Build = Callable[[], Awaitable[dict[str, Any]]]
TagsOf = Callable[[dict[str, Any]], Iterable[str]]


class CachedRead:
    """A read's JSON bytes, and its parsed payload on demand. The cache keeps only the bytes:
    bytes are one allocation the garbage collector never traverses, where the parsed payload
    would be thousands of dicts, slowing every full collection (and p99 with it). `tags`,
    `epoch` and `built_at` say what it is valid for (None: built without the cache)."""

    __slots__ = ("body", "_payload", "tags", "epoch", "built_at", "_stamp", "parts")

    def __init__(
        self,
        body: bytes,
        payload: dict[str, Any] | None = None,
        tags: tuple[str, ...] = (),
        epoch: object = None,
        built_at: int | None = None,
    ) -> None:
        self.body = body
        self._payload = payload
        self.tags = tags
        self.epoch = epoch
        self.built_at = built_at
        self._stamp: object = None
        # A read put together from cached parts (posts/pages.py: a listing's envelope, its posts'
        # ids and their cards' bytes), for an overlay that patches only the parts it must.
        self.parts: Any = None

    @property
    def stamp(self) -> object:
        """Equal for two reads of the same build (an overlay cached for one fits the other)."""
        return self._stamp if self._stamp is not None else (self.epoch, self.built_at)

    @stamp.setter
    def stamp(self, value: object) -> None:
        self._stamp = value

    @property
    def payload(self) -> dict[str, Any]:
        """Parsed once per request that needs it (overlays copy; never mutate it)."""
        if self._payload is None:
            self._payload = orjson.loads(self.body)
        return self._payload

    def response(self) -> Response:
        return Response(self.body, media_type="application/json")


def enabled_cache(request: Request) -> ResponseCache | None:
    cache: ResponseCache | None = getattr(request.app.state, "read_cache", None)
    return cache if cache is not None and cache.enabled else None


def rows_reader(request: Request, db: AsyncSession) -> Reader:
    """How a cached part's builder runs its queries (db/read_lane.py): on the read lane when
    there is one (PostgreSQL), else — SQLite, or a request that has written and must see its
    own rows — in the request's session."""
    lane = getattr(request.app.state, "read_lane", None)
    session: AsyncSession | None = getattr(request.state, "db", None)
    if lane is None or (session is not None and has_written(session)):
        return session_reader(db)
    return lane.rows  # type: ignore[no-any-return]


async def valid_entry(request: Request, cache: ResponseCache, key: Hashable) -> tuple[Entry | None, View | None]:
    """The cached entry under `key` if it is still valid, and the request's versions view
    (None: the versions cannot be known, use no cache)."""
    entry = cache.peek(key)
    view = await versions(request, entry.tags if entry is not None else (EVERYTHING,))
    if entry is not None and view is not None and view.valid(entry.tags, entry.epoch, entry.built_at):
        cache.hit(key)
        return entry, view
    cache.miss(key, entry)
    return None, view


def assembled(
    cache: ResponseCache, key: Hashable, page: Entry | None, stamp: Any, assemble: Callable[[], Entry]
) -> CachedRead:
    """A page put together from cached parts (a post page from its card and thread, a thread
    page from its index and subtrees), kept under `key` while its parts are the ones `stamp`
    names: `page` is what `cache.peek(key)` found, `assemble()` builds it again."""
    if page is None or page.stamp != stamp:
        page = assemble()
        cache.put(key, page)
    else:
        cache.hit(key, count=False)
    read = CachedRead(page.body, None, page.tags, page.epoch, page.built_at)
    read.stamp, read.parts = stamp, page.parts
    return read


async def _snapshot_after_versions(request: Request) -> None:
    """SQLite: a transaction reads one snapshot, taken at its first statement — possibly before
    the versions a build is labelled with were read (the request's key lookup; then a write
    commits and bumps a tag; then the versions are read and the page built from the old
    snapshot: older rows stored as newer, served until the next bump). Ending the request's
    read-only transaction first makes the build's snapshot start after the versions were read.
    PostgreSQL reads committed rows statement by statement, and a request that has written
    holds SQLite's write lock, so nothing else is needed there."""
    if request.app.state.engine.dialect.name == "sqlite":
        await release_connection(request)


async def cached_read(
    request: Request,
    key: Hashable,
    build: Build,
    *,
    tags: Collection[str] = (),
    tags_of: TagsOf | None = None,
) -> CachedRead:
    """The read under `key`: from the cache while none of its tags moved, else built once (one
    build per key at a time: after a write, the burst of requests that all miss waits for the
    first one's page instead of each building the same page)."""
    cache = enabled_cache(request)
    if cache is None:
        return await _build(build)
    entry, view = await valid_entry(request, cache, key)
    if entry is not None:
        return CachedRead(entry.body, None, entry.tags, entry.epoch, entry.built_at)
    if view is None:
        return await _build(build)
    # The generation is read before building: a write that lands meanwhile bumps a tag past
    # it, so the entry can only be too fresh, never stale.
    built_at = view.gen
    flight = cache.flights.get(key)
    # A build that started after what we saw: wait for it, but never while holding a database
    # connection the builder may be waiting for (the pool's last one; on SQLite, the write
    # lock). A request that has written builds for itself instead.
    if flight is not None and flight[0] >= built_at and await release_connection(request):
        shared = await _join_flight(flight[1])
        if shared is not None:
            return shared
    future: asyncio.Future[CachedRead] = asyncio.get_running_loop().create_future()
    cache.flights[key] = (built_at, future)
    try:
        await _snapshot_after_versions(request)
        read = await _build(build)
        all_tags = {EVERYTHING, *tags, *(tags_of(read.payload) if tags_of is not None else ())}
        read.tags, read.epoch, read.built_at = tuple(sorted(all_tags)), view.epoch, built_at
    except BaseException as exc:
        if isinstance(exc, Exception):
            future.set_exception(exc)
            future.exception()  # retrieved: waiters build for themselves (see _join_flight)
        else:  # cancelled (the client went away) or shutting down
            future.cancel()
        raise
    finally:
        if cache.flights.get(key, (None, None))[1] is future:
            del cache.flights[key]
    future.set_result(read)
    metrics.READ_CACHE_BUILDS.labels(str(key[0]) if isinstance(key, tuple) else "other").inc()
    cache.put(key, Entry(read.body, read.tags, view.epoch, built_at))
    return read


async def build_shared(
    request: Request,
    cache: ResponseCache,
    keys: dict[str, Hashable],
    built_at: int,
    build: Callable[[list[str]], Awaitable[dict[str, Entry]]],
) -> dict[str, Entry]:
    """Entries that are parts of a read (a listing's cards, a thread's subtrees), by id: `keys`
    maps the ids to build to their cache keys. One build per key at a time, as `cached_read`
    does for whole reads: right after a write, every request in flight misses the same part at
    once; those that find a build started after what they saw (`built_at`, the generation read
    before building) wait for it, without their connection. `build(ids)` returns the entries it
    found (an id it did not find is left out); they go into the cache."""
    flights = {i: cache.flights.get(k) for i, k in keys.items()}
    joined = {i: f[1] for i, f in flights.items() if f is not None and f[0] >= built_at}
    if joined and not await release_connection(request):
        joined = {}
    own = [i for i in keys if i not in joined]
    loop = asyncio.get_running_loop()
    futures: dict[str, asyncio.Future[Entry | None]] = {i: loop.create_future() for i in own}
    for i, future in futures.items():
        cache.flights[keys[i]] = (built_at, future)
    found: dict[str, Entry] = {}
    try:
        if own:
            await _snapshot_after_versions(request)
            found = await build(own)
            for i, entry in found.items():
                cache.put(keys[i], entry)
    except BaseException:
        for future in futures.values():
            future.cancel()  # its waiters build for themselves (and meet their own error)
        raise
    finally:
        for i, future in futures.items():
            if cache.flights.get(keys[i], (None, None))[1] is future:
                del cache.flights[keys[i]]
    for i, future in futures.items():
        future.set_result(found.get(i))
    lost: list[str] = []
    for i, flight in joined.items():
        try:
            shared = await asyncio.shield(flight)
        except asyncio.CancelledError:
            if not flight.cancelled():  # our client went away, not the builder's
                raise
            lost.append(i)
            continue
        if shared is not None:
            found[i] = shared
    if lost:  # their builder failed or went away: build them here
        found.update(await build_shared(request, cache, {i: keys[i] for i in lost}, built_at, build))
    return found


async def _build(build: Build) -> CachedRead:
    payload = await build()
    return CachedRead(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS), payload)


async def _join_flight(flight: asyncio.Future[CachedRead]) -> CachedRead | None:
    """The page another request is building, or None (it failed: then the caller builds, and
    gets its own error if there is one, e.g. its own 404)."""
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
    overlay: Callable[[CachedRead], Awaitable[dict[str, Any] | bytes | None]],
) -> Response:
    """`read` as the caller sees it. `overlay(read)` returns a copy of its payload carrying the
    caller's votes (or that copy's JSON bytes), or None when they have none on it. Its bytes are
    cached per caller, valid as long as the read is (a vote bumps the tags of what it voted on),
    so a repeated poll re-encodes nothing."""
    cache = enabled_cache(request)
    personal_key = ("as_viewer", key, viewer_id)
    if cache is not None and read.built_at is not None:
        entry = cache.peek(personal_key)
        if entry is not None and entry.stamp == read.stamp:
            cache.hit(personal_key)
            return Response(entry.body or read.body, media_type="application/json")
        cache.miss(personal_key, entry)
    personal = await overlay(read)
    if isinstance(personal, bytes):
        body = personal
    else:
        body = orjson.dumps(personal, option=orjson.OPT_NON_STR_KEYS) if personal is not None else b""
    if cache is not None and read.built_at is not None:
        # b"": no votes here
        cache.put(personal_key, Entry(body, read.tags, read.epoch, read.built_at, stamp=read.stamp))
    return Response(body or read.body, media_type="application/json")


async def viewer_votes(
    request: Request,
    kind: str,
    viewer_id: str,
    ids: Sequence[str],
    post_ids: Iterable[str],
    fetch: Callable[[], Awaitable[dict[str, int]]],
) -> dict[str, int]:
    """The caller's votes on `ids` (`kind`: posts, or the comments under these roots), as
    `fetch()` reads them, from the cache while no vote on the posts `post_ids` or their comments
    moved (their `votes:` tags). Every vote bumps its post's `votes:` tag (a comment's vote, the
    comment's post); a comment coming or going does not (cache/tags.py). So when a comment makes
    a page rebuild, the caller's overlay is laid over the new page without a query."""
    cache = enabled_cache(request)
    if cache is None:
        return await fetch()
    key = ("votes", kind, viewer_id, tuple(ids))
    entry_tags = tuple(sorted({EVERYTHING, *(votes(p) for p in post_ids)}))
    entry = cache.peek(key)
    # The vote tags join the target's MGET hint (cache/version.py) only once the overlay has been
    # laid again over a rebuilt page (an entry is here): on a page that writes keep rebuilding
    # they are needed by most requests, on a steady one (a polled listing) by none of them.
    view = await versions(request, entry_tags, remember=entry is not None)
    if view is None:
        return await fetch()
    if entry is not None and view.valid(entry.tags, entry.epoch, entry.built_at):
        cache.hit(key, count=False)
        found: dict[str, int] = orjson.loads(entry.body)
        return found
    cache.miss(key, entry, count=False)
    built_at = view.gen  # read before the query: a vote landing meanwhile leaves the entry stale
    fetched = await fetch()
    cache.put(key, Entry(orjson.dumps(fetched), entry_tags, view.epoch, built_at))
    return fetched


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


def authors_of(items: Iterable[dict[str, Any]], nested: str | None = None) -> set[str]:
    """Tags of the authors embedded in `items` (posts or comments; `nested` replies too)."""
    out: set[str] = set()
    for item in items:
        author = item.get("author") or {}
        if author.get("id"):
            out.add("agent:" + author["id"])
        if nested and item.get(nested):
            out |= authors_of(item[nested], nested)
    return out

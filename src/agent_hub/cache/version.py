"""Tag versions: what every cached read (and cached key lookup) is checked against.

A cached read names the *tags* of what it shows ("post:<id>", "agent:<id>", "list:all", ...;
the vocabulary is in `tags.py`). A committed write bumps the tags of what it changed
(`events.ContentChanged` -> `tags.of_events`). Versions are generation numbers: each bump takes
the next number of one global counter and gives it to every tag it bumps. An entry remembers
the generation read *before* it was built; it is valid while none of its tags has a higher
version — so a write that lands while a page is being built makes that page stale at once,
never valid. A vote on one post bumps that post's tags and leaves every other page alone.

Embedded default (no REDIS_URL): a counter and a dict in this process (bounded: a tag dropped
from it reads as the `floor`, the highest number ever dropped, which only errs towards stale).

With Valkey: `agent_hub:cache:gen` (the counter), `agent_hub:tag:<tag>` (each tag's version,
expiring long after any entry could live) and `agent_hub:cache:epoch`, a random token: a
Valkey restart forgets the versions, and a new epoch then invalidates every entry built before.
Reading is one MGET per request (epoch, counter and the tags it needs; memoised on the request);
a bump is one script call, sent the moment the commit is known and awaited before the response
leaves (read-your-writes on any replica). Both go over the lean pipelined connection of
`valkey.py`, not redis-py: they are on every request's path (through the redis-py client only
when REDIS_URL carries TLS options of its own).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from agent_hub.cache.valkey import ThroughClient, Valkey

log = logging.getLogger("agent_hub.cache")

GEN_KEY = "agent_hub:cache:gen"
EPOCH_KEY = "agent_hub:cache:epoch"
TAG_PREFIX = "agent_hub:tag:"
LOCAL_TAGS = 200_000  # in-process versions kept (then the oldest go below the floor)

_BUMP = """
local g = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], g, 'EX', ARGV[1]) end
return g
"""


@dataclass
class View:
    """What one request knows of the versions: the epoch, the generation when first asked, and
    the versions of the tags it has read."""

    epoch: object
    gen: int
    tags: dict[str, int] = field(default_factory=dict)

    def valid(self, tags: Iterable[str], epoch: object, built_at: int) -> bool:
        """An entry built at generation `built_at` with `tags` is still valid."""
        if epoch != self.epoch:
            return False
        known = self.tags
        for tag in tags:
            if known.get(tag, 0) > built_at:
                return False
        return True


class Versions:
    def __init__(self, redis: Any | None, ttl_seconds: int = 86_400) -> None:
        self.ttl = ttl_seconds
        self._gen = 0
        self._tags: OrderedDict[str, int] = OrderedDict()
        self._floor = 0
        self._epoch = uuid.uuid4().hex
        self._opening: set[asyncio.Task[None]] = set()  # bumps waiting for the connection
        self.valkey: Valkey | ThroughClient | None = None
        self.redis = redis
        self.hints: OrderedDict[object, set[str]] = OrderedDict()

    @property
    def redis(self) -> Any | None:
        return self._redis

    @redis.setter
    def redis(self, client: Any | None) -> None:
        """The redis-py client whose server holds the versions (set later by processes that
        create it afterwards); the versions go over a connection of their own to it."""
        self._redis = client
        self.valkey = Valkey.for_client(client) if client is not None else None

    def remember(self, target: object, tags: set[str]) -> None:
        """`tags` (filled in as the request goes on) are what `target` needs (see `versions`)."""
        self.hints[target] = tags
        self.hints.move_to_end(target)
        while len(self.hints) > HINTS:
            self.hints.popitem(last=False)

    async def read(self, tags: Collection[str], known: View | None = None) -> View | None:
        """The versions of `tags` (added to `known`, which keeps its epoch and generation), or
        None when they cannot be known (Valkey down): then no cache is used."""
        missing = [t for t in tags if known is None or t not in known.tags]
        if self.valkey is None:
            view = known or View(self._epoch, self._gen)
            for tag in missing:
                view.tags[tag] = self._tags.get(tag, self._floor)
            return view
        if known is not None and not missing:
            return known
        try:
            values = await self.valkey.call("MGET", EPOCH_KEY, GEN_KEY, *[TAG_PREFIX + t for t in missing])
        except Exception:  # a cache must never fail a read
            log.warning("cache versions unavailable; reading without the caches", exc_info=True)
            return None
        epoch, gen = values[0], values[1]
        if epoch is None:  # a fresh (or restarted) Valkey: a new epoch, nothing cached is valid
            await self._new_epoch()
            return None
        view = known or View(epoch, int(gen or 0))
        if view.epoch != epoch:
            return None
        for tag, value in zip(missing, values[2:], strict=True):
            view.tags[tag] = int(value or 0)
        return view

    def bump(self, tags: Collection[str]) -> Awaitable[None] | None:
        """Called right after a commit that changed what `tags` name. Returns the Valkey write
        to await when the caller can (the request path does, before responding): it is sent at
        once, pipelined with every other command of this process, and never raises (a failure
        is logged; other replicas then serve entries up to the caches' maximum age old)."""
        if not tags:
            return None
        self._gen += 1
        for tag in tags:
            self._tags[tag] = self._gen
            self._tags.move_to_end(tag)
        while len(self._tags) > LOCAL_TAGS:
            _, dropped = self._tags.popitem(last=False)
            self._floor = max(self._floor, dropped)
        if self.valkey is None:
            return None
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a synchronous caller (CLI): entries expire by age instead
            return None
        keys = [GEN_KEY, *(TAG_PREFIX + t for t in sorted(tags))]
        sent = self.valkey.call("EVAL", _BUMP, len(keys), *keys, self.ttl, quiet=_UNPUBLISHED)
        if isinstance(sent, asyncio.Future):
            return sent
        # Not connected yet: connecting and sending go on even if the caller goes away.
        task = asyncio.ensure_future(sent)
        self._opening.add(task)
        task.add_done_callback(self._opening.discard)
        return asyncio.shield(task)

    def close(self) -> None:
        if self.valkey is not None:
            self.valkey.close()

    async def _new_epoch(self) -> None:
        try:
            await self.valkey.call("SET", EPOCH_KEY, uuid.uuid4().hex, "NX")  # type: ignore[union-attr]
        except Exception:
            log.warning("could not set the cache epoch", exc_info=True)


_UNPUBLISHED = "could not publish cache versions; other replicas may serve entries up to the caches' maximum age old"


_UNREAD = object()
HINTS = 10_000  # request targets whose tags are remembered


async def versions(request: Any, tags: Collection[str], *, remember: bool = True) -> View | None:
    """The versions of `tags` as this request sees them (read once per request and tag: a
    request's own writes bump them only at its commit).

    One round trip per request is the aim: the first read also fetches the tags the same target
    (path and query) needed last time — the key lookup asks only for `auth`, the page then for
    its own tags and its cards' — so a repeated poll reads everything in one MGET. A hint only
    chooses which keys to fetch early; a tag it misses is fetched when asked for. `remember=False`
    keeps `tags` out of the hint: tags a target's requests need only now and then (a viewer's
    votes, read when the page under their overlay was rebuilt) would lengthen every poll's MGET."""
    memo: View | object | None = getattr(request.state, "cache_view", _UNREAD)
    if memo is None:
        return None  # unavailable earlier in this request: stay without caches
    store: Versions = request.app.state.cache_versions
    if not isinstance(memo, View):
        target = (request.scope.get("path"), request.scope.get("query_string"))
        hint = store.hints.get(target)
        wanted: set[str] = set(tags) if remember else set()
        request.state.cache_target, request.state.cache_wanted = target, wanted
        view = await store.read(set(tags) | hint if hint else tags)
        if hint is None:
            store.remember(target, wanted)  # filled in as this request goes on
    else:
        wanted = request.state.cache_wanted
        if remember:
            wanted.update(tags)
            if any(t not in memo.tags for t in tags):  # the hint missed some: this request's set next time
                store.remember(request.state.cache_target, wanted)
        view = await store.read(tags, memo)
    request.state.cache_view = view
    return view

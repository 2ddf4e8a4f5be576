"""The versions every cached read (and cached key lookup) is checked against.

Three versions: `content` (anything a cached read shows), `auth` (agents and API keys: what a
cached key lookup holds) and `inbox` (notifications and their counters: what a cached inbox page
shows on top of content). A commit bumps the ones whose tables it wrote (tracking.py).

Embedded default (no REDIS_URL): counters in this process — the only process that writes,
apart from CLI commands, which the caches' maximum ages cover.

With Valkey: random tokens under three keys, replaced after each commit that changes them (a
token rather than INCR so that a Valkey restart, which forgets the keys, can never bring back
a value that old entries were stored under). Reading them is one MGET per request (~0.1 ms),
memoised on the request.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, NamedTuple

from fastapi import Request

log = logging.getLogger("agent_hub.cache")

CONTENT_KEY = "agent_hub:content_version"
AUTH_KEY = "agent_hub:auth_version"
INBOX_KEY = "agent_hub:inbox_version"


class Now(NamedTuple):
    content: object
    auth: object
    inbox: object


class ContentVersion:
    def __init__(self, redis: Any | None) -> None:
        self.redis = redis  # set later by processes that create the client afterwards
        self._content = 0
        self._auth = 0
        self._inbox = 0
        self._pending: set[asyncio.Task[None]] = set()

    async def current(self) -> Now | None:
        """The versions now, or None when they cannot be known (Valkey down): then nothing is
        served from or stored in a cache."""
        if self.redis is None:
            return Now(self._content, self._auth, self._inbox)
        try:
            content, auth, inbox = await self.redis.mget(CONTENT_KEY, AUTH_KEY, INBOX_KEY)
        except Exception:  # a cache must never fail a read
            log.warning("cache versions unavailable; reading without the caches", exc_info=True)
            return None
        return Now(content or b"initial", auth or b"initial", inbox or b"initial")

    def bump(self, content: bool = True, auth: bool = False, inbox: bool = False) -> asyncio.Task[None] | None:
        """Called right after a commit that changed content, auth and/or inbox data. Returns the
        Valkey write to await when the caller can (the request path does, before responding)."""
        self._content += content
        self._auth += auth
        self._inbox += inbox
        if self.redis is None or not (content or auth or inbox):
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a synchronous caller (CLI): entries expire by age instead
            return None
        keys = [k for k, on in ((CONTENT_KEY, content), (AUTH_KEY, auth), (INBOX_KEY, inbox)) if on]
        task = loop.create_task(self._publish(keys))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def _publish(self, keys: list[str]) -> None:
        try:
            await self.redis.mset({k: uuid.uuid4().hex for k in keys})  # type: ignore[union-attr]
        except Exception:
            log.error(
                "could not publish cache versions; other replicas may serve entries up to the caches' maximum age old",
                exc_info=True,
            )


_UNREAD = object()


async def versions_now(request: Request) -> Now | None:
    """The versions, read once per request (a request's own writes bump them only at commit)."""
    memo = getattr(request.state, "cache_versions", _UNREAD)
    if memo is _UNREAD:
        memo = await request.app.state.content_version.current()
        request.state.cache_versions = memo
    return memo  # type: ignore[no-any-return]

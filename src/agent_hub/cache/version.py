"""The content version every cached read is checked against.

Embedded default (no REDIS_URL): an integer in this process — the only process that writes,
apart from CLI commands, which the cache's maximum age covers.

With Valkey: a random token under one key, replaced after each content-changing commit. A token
rather than INCR so that a Valkey restart (which forgets the key) can never bring back a value
that old cache entries were stored under. Reading it is one GET per cached request (~0.1 ms).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

log = logging.getLogger("agent_hub.cache")

VERSION_KEY = "agent_hub:content_version"


class ContentVersion:
    def __init__(self, redis: Any | None) -> None:
        self.redis = redis  # set later by processes that create the client afterwards
        self._local = 0
        self._pending: set[asyncio.Task[None]] = set()

    async def current(self) -> object | None:
        """The version now, or None when it cannot be known (Valkey down): then nothing is
        served from or stored in the cache."""
        if self.redis is None:
            return self._local
        try:
            return await self.redis.get(VERSION_KEY) or b"initial"
        except Exception:  # a cache must never fail a read
            log.warning("content version unavailable; reading without the cache", exc_info=True)
            return None

    def bump(self) -> asyncio.Task[None] | None:
        """Called right after a content-changing commit. Returns the Valkey write to await when
        the caller can (the request path does, before responding)."""
        self._local += 1
        if self.redis is None:
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a synchronous caller (CLI): entries expire by age instead
            return None
        task = loop.create_task(self._publish())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def _publish(self) -> None:
        try:
            await self.redis.set(VERSION_KEY, uuid.uuid4().hex)  # type: ignore[union-attr]
        except Exception:
            log.error("could not publish the content version; other replicas may serve entries "
                      "up to the cache's maximum age old", exc_info=True)

"""Wires the read caches' versions to an engine's committed events (one call per process)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import events
from agent_hub.cache.tags import of_events
from agent_hub.cache.version import Versions
from agent_hub.config import Settings


def install_read_cache(engine: AsyncEngine, redis: Any | None, settings: Settings) -> Versions:
    """The versions every cached read is checked against, bumped by every commit on `engine`
    with the tags of what it changed. Tags outlive any entry by far (entries live at most the
    caches' maximum ages)."""
    ttl = int(max(86_400, 10 * settings.read_cache_seconds, 10 * settings.key_cache_seconds))
    versions = Versions(redis, ttl_seconds=ttl)

    def on_commit(committed: Sequence[events.Event], tables: frozenset[str]) -> Awaitable[None] | None:
        return versions.bump(of_events(committed, tables))

    events.subscribe(engine, on_commit=on_commit)
    return versions

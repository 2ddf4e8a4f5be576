"""Cached API-key lookups for safe requests (GET/HEAD).

Why: an agent polling listings pays a key+agent query (~1 ms of Python) on every request,
more than a cached listing costs. What: key hash -> the key's id and a copy of the agent's
columns, valid while neither the `auth` tag (cache/tags.py) nor the agent's own `agent:<id>` tag
(nor `*`) moved past the generation read before the entry was built: every commit that writes
the `agents` or `api_keys` table bumps `auth` — on every replica when Valkey is configured — so a
revoked key, a suspended agent or a changed profile is seen by the next request anywhere. Writes
that move only an agent's counters (karma, posts, follows, subscriptions: `tags.AGENT_COUNTERS`)
bump that agent's tag instead, which drops that agent's entries and no one else's.
The maximum age (AGENT_HUB_KEY_CACHE_SECONDS) covers CLI commands writing the embedded
database from another process.

Safe requests use it, and writes whose handler only reads the caller (`identity.LightWriter`,
e.g. comment creation): they get a transient `Agent` built from the copy, which nothing writes
back. Other writes load the agent in their own transaction. Unknown keys are never cached
(nothing to hold). Counters that move often without an auth-version bump (`comments_count`,
see comments/create_sql.py) may be stale in the copy: what shows them reads the agent afresh.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import inspect
from sqlalchemy.orm.instrumentation import manager_of_class

from agent_hub.agents.models import Agent, ApiKey
from agent_hub.cache.tags import AUTH, EVERYTHING
from agent_hub.cache.tags import agent as agent_tag
from agent_hub.cache.version import versions

SAFE_METHODS = frozenset({"GET", "HEAD"})
MAX_ENTRIES = 20_000
_COLUMNS = [c.key for c in inspect(Agent).column_attrs]
_MANAGER = manager_of_class(Agent)


@dataclass(slots=True)
class CachedKey:
    api_key_id: str
    key_hash: str
    agent_columns: dict[str, Any]
    version: tuple[object, int]  # (epoch, the generation read before the lookup query)
    born: float

    def agent(self) -> Agent:
        # As the ORM's loader does: a fresh instance state and the values straight into its
        # __dict__ (Agent(**columns) would record every value as a pending change, and is 10x
        # slower). The instance is transient: nothing flushes it.
        agent = _MANAGER.new_instance()
        agent.__dict__.update(self.agent_columns)
        return agent


class KeyCache:
    def __init__(self, max_age_seconds: float) -> None:
        self.max_age = max_age_seconds
        self._entries: OrderedDict[str, CachedKey] = OrderedDict()

    async def lookup(self, request: Request, key_hash: str, light: bool = False) -> CachedKey | None:
        """`light`: the caller is a handler that never writes the agent back (see above)."""
        if self.max_age <= 0 or not (light or request.method in SAFE_METHODS):
            return None
        # Read before anything else: `store` relies on the generation being older than its query.
        # The entry's agent tag goes in the same read (a key always names the same agent).
        entry = self._entries.get(key_hash)
        wanted = (AUTH, EVERYTHING) if entry is None else (AUTH, EVERYTHING, agent_tag(entry.agent_columns["id"]))
        now = await versions(request, wanted)
        # Re-read after the await: another request may have dropped or replaced the entry.
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        own = agent_tag(entry.agent_columns["id"])
        if now is not None and own not in now.tags:  # usually fetched with the others (the hint)
            now = await versions(request, (own,))
            if self._entries.get(key_hash) is not entry:
                return None
        epoch, built_at = entry.version
        stale = now is None or not now.valid((AUTH, EVERYTHING, own), epoch, built_at)
        if stale or time.monotonic() - entry.born > self.max_age:
            if self._entries.get(key_hash) is entry:
                del self._entries[key_hash]
            return None
        self._entries.move_to_end(key_hash)
        return entry

    async def store(self, request: Request, api_key: ApiKey, agent: Agent, light: bool = False) -> None:
        """Remember a key that just authenticated. The version was read (memoised) before the
        lookup query ran, so a concurrent revocation makes this entry stale, never valid."""
        if self.max_age <= 0 or not (light or request.method in SAFE_METHODS):
            return
        now = await versions(request, (AUTH, EVERYTHING))
        if now is None:
            return
        columns = {name: getattr(agent, name) for name in _COLUMNS}
        version = (now.epoch, now.gen)  # the generation read before the query: valid while no tag is newer
        self._entries[api_key.key_hash] = CachedKey(api_key.id, api_key.key_hash, columns, version, time.monotonic())
        self._entries.move_to_end(api_key.key_hash)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

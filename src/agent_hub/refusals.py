"""Refused requests per agent: the 401s, 403s and 429s an agent met, for the activity view.

A refusal is recorded only when it names an agent: the caller's agent (a 403, a business 429, a
suspended agent's 401), the agent of a revoked key (401, with the key's display prefix), or, for
a 429 of the general limit that runs before identity, the agent identity last saw with that
credential (ratelimit/tiers.py). A 401 for an unknown key names nobody and is left to the
security events.

Where: the rate limiter's store, never the database. With Valkey configured (several replicas),
each refusal is one pipelined round trip beside the limiter hit that usually caused it: a counter
per agent, day and status, and a list of the agent's latest refusals trimmed to `CAP`, both
expiring after `KEEP`. Without Valkey (one process), the same in memory, with at most
`MAX_AGENTS` agents kept (least recently refused dropped first). Either way a flood of refusals
costs a bounded amount of memory and no disk, and successful requests pay nothing.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict, deque
from datetime import UTC, datetime
from typing import Any

CAP = 50  # latest refusals kept per agent
KEEP_DAYS = 8  # the activity view reaches back 7 days
KEEP = KEEP_DAYS * 86_400
MAX_AGENTS = 10_000
STATUSES = (401, 403, 429)
REASON_MAX = 200


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y%m%d")


class RefusalLog:
    def __init__(self, redis: Any | None = None, prefix: str = "agent_hub:refused:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._items: OrderedDict[str, deque[dict[str, Any]]] = OrderedDict()
        self._counts: OrderedDict[str, dict[tuple[str, int], int]] = OrderedDict()

    async def record(
        self, agent_id: str, status: int, method: str, route: str, reason: str, key_prefix: str | None = None
    ) -> None:
        """`key_prefix`: the refused key's display prefix, for a revoked key's 401."""
        if status not in STATUSES:
            return
        now = time.time()
        entry: dict[str, Any] = {"at": now, "status": status, "method": method, "route": route}
        entry["reason"] = reason[:REASON_MAX]
        if key_prefix:
            entry["key_prefix"] = key_prefix
        day = _day(now)
        if self.redis is not None:
            items, counts = f"{self.prefix}i:{agent_id}", f"{self.prefix}n:{agent_id}:{day}"
            pipe = self.redis.pipeline(transaction=False)
            pipe.lpush(items, json.dumps(entry))
            pipe.ltrim(items, 0, CAP - 1)
            pipe.expire(items, KEEP)
            pipe.hincrby(counts, str(status), 1)
            pipe.expire(counts, KEEP)
            await pipe.execute()
            return
        self._items.setdefault(agent_id, deque(maxlen=CAP)).appendleft(entry)
        self._items.move_to_end(agent_id)
        per_day = self._counts.setdefault(agent_id, {})
        per_day[(day, status)] = per_day.get((day, status), 0) + 1
        self._counts.move_to_end(agent_id)
        for store in (self._items, self._counts):
            while len(store) > MAX_AGENTS:
                store.popitem(last=False)
        old = _day(now - KEEP)
        for key in [k for k in per_day if k[0] < old]:
            del per_day[key]

    async def recent(self, agent_id: str, since: datetime) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """(refusals per status since `since`'s day, the latest refusals since `since`, newest first)."""
        start = since.timestamp()
        days = {_day(t) for t in range(int(start), int(time.time()) + 86_400, 86_400)} | {_day(time.time())}
        counts = {str(s): 0 for s in STATUSES}
        if self.redis is not None:
            pipe = self.redis.pipeline(transaction=False)
            pipe.lrange(f"{self.prefix}i:{agent_id}", 0, CAP - 1)
            for day in sorted(days):
                pipe.hgetall(f"{self.prefix}n:{agent_id}:{day}")
            raw, *per_day = await pipe.execute()
            entries = [json.loads(r) for r in raw]
            for hashed in per_day:
                for status, n in hashed.items():
                    key = status.decode() if isinstance(status, bytes) else str(status)
                    if key in counts:
                        counts[key] += int(n)
        else:
            entries = list(self._items.get(agent_id, ()))
            for (day, status), n in self._counts.get(agent_id, {}).items():
                if day in days:
                    counts[str(status)] += n
        return counts, [e for e in entries if e["at"] >= start]

    async def reset(self) -> None:
        """Tests: forget everything (the Valkey keys under the prefix too)."""
        self._items.clear()
        self._counts.clear()
        if self.redis is not None:
            async for key in self.redis.scan_iter(match=f"{self.prefix}*"):
                await self.redis.delete(key)

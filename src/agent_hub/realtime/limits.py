"""Per-agent WebSocket connection cap, shared by every replica when Valkey is configured.

Each live connection is a member of a sorted set scored by its last heartbeat; members not
refreshed for three heartbeats (a crashed replica) stop counting by themselves.
"""

from __future__ import annotations

import time
from typing import Any

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000))
return 1
"""


class ConnectionCap:
    def __init__(self, redis: Any | None, limit: int, heartbeat: float) -> None:
        self.redis = redis
        self.limit = limit
        self.stale = max(heartbeat * 3, 5.0)
        self.local: dict[str, set[str]] = {}
        self._script = redis.register_script(_ACQUIRE) if redis is not None else None

    def _key(self, agent_id: str) -> str:
        return f"agent_hub:ws:{agent_id}"

    async def acquire(self, agent_id: str, conn_id: str) -> bool:
        if self._script is not None:
            ok = await self._script(keys=[self._key(agent_id)], args=[time.time(), self.limit, self.stale, conn_id])
            return bool(int(ok))
        members = self.local.setdefault(agent_id, set())
        if len(members) >= self.limit:
            return False
        members.add(conn_id)
        return True

    async def refresh(self, agent_id: str, conn_id: str) -> None:
        if self.redis is not None:
            await self.redis.zadd(self._key(agent_id), {conn_id: time.time()})
            await self.redis.pexpire(self._key(agent_id), int(self.stale * 1000))

    async def release(self, agent_id: str, conn_id: str) -> None:
        if self.redis is not None:
            await self.redis.zrem(self._key(agent_id), conn_id)
            return
        members = self.local.get(agent_id)
        if members is not None:
            members.discard(conn_id)
            if not members:
                self.local.pop(agent_id, None)

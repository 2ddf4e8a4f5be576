"""Sliding-window-log limiter with two interchangeable stores.

`hit()` checks and records in one atomic step (a Lua script in Valkey; no await between check
and record in process), so two simultaneous requests can never both pass a limit of one.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: float  # seconds
    message: str = "Rate limit exceeded"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # unix seconds when the oldest counted hit leaves the window
    retry_after: float  # seconds; 0 when allowed

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return out


_LUA = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
local record = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  if record == 1 then
    redis.call('ZADD', key, now, member)
    count = count + 1
  end
  allowed = 1
end
redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local oldest_ts = now
if oldest[2] then oldest_ts = tonumber(oldest[2]) end
return {allowed, count, tostring(oldest_ts)}
"""

_UNDO_LUA = """
return redis.call('ZREM', KEYS[1], ARGV[1])
"""


class RateLimiter:
    def __init__(self, redis: Any | None = None, prefix: str = "agent_hub:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._logs: dict[str, deque[tuple[float, str]]] = {}
        self._script = redis.register_script(_LUA) if redis is not None else None
        self._undo = redis.register_script(_UNDO_LUA) if redis is not None else None
        self._clock = time.time

    async def hit(self, rule: Rule, subject: str, *, record: bool = True) -> tuple[Decision, str]:
        """Count one request of `subject` against `rule`. Returns the decision and a token
        that `undo()` accepts (to give the slot back when the action did not happen)."""
        now = self._clock()
        key = f"{self._prefix}{rule.name}:{subject}"
        member = f"{now:.6f}:{uuid.uuid4().hex[:8]}"
        if self._script is not None:
            allowed, count, oldest = await self._script(
                keys=[key], args=[repr(now), repr(rule.window), rule.limit, member, 1 if record else 0]
            )
            allowed, count, oldest_ts = bool(int(allowed)), int(count), float(oldest)
        else:
            allowed, count, oldest_ts = self._hit_local(key, now, rule, member, record)
        reset_at = oldest_ts + rule.window
        # Concurrent callers read the clock at slightly different moments: clamp to the window.
        retry = 0.0 if allowed else min(max(reset_at - now, 0.0), rule.window)
        decision = Decision(allowed, rule.limit, rule.limit - count, reset_at, retry)
        return decision, f"{key}|{member}"

    def _hit_local(self, key: str, now: float, rule: Rule, member: str, record: bool) -> tuple[bool, int, float]:
        log = self._logs.setdefault(key, deque())
        while log and log[0][0] <= now - rule.window:
            log.popleft()
        allowed = len(log) < rule.limit
        if allowed and record:
            log.append((now, member))
        if not log:
            self._logs.pop(key, None)
            return allowed, 0, now
        return allowed, len(log), log[0][0]

    async def undo(self, token: str) -> None:
        key, member = token.split("|", 1)
        if self._undo is not None:
            await self._undo(keys=[key], args=[member])
            return
        log = self._logs.get(key)
        if log:
            for item in list(log):
                if item[1] == member:
                    log.remove(item)
                    break

    async def reset(self) -> None:
        """Forget every counter (tests, `agent-hub reset-limits`)."""
        self._logs.clear()
        if self._redis is not None:
            async for key in self._redis.scan_iter(match=f"{self._prefix}*"):
                await self._redis.delete(key)

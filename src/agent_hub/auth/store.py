"""Short-lived ceremony state (setup progress, WebAuthn challenges, pending TOTP seeds).

In Valkey when `REDIS_URL` is set, so every replica sees it; in process otherwise. `pop()` is
GETDEL: a challenge can be taken exactly once. Expiry is checked against the auth clock too,
so tests can move time without sleeping.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any


class StateStore:
    def __init__(self, redis: Any | None, clock: Callable[[], float], prefix: str = "agent_hub:auth:st:") -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = prefix
        self._local: dict[str, tuple[float, str]] = {}

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        expires = self._clock() + ttl
        raw = json.dumps({"exp": expires, "v": value})
        if self._redis is not None:
            await self._redis.set(self._prefix + key, raw, px=max(1, math.ceil(ttl * 1000)))
            return
        self._sweep()
        self._local[key] = (expires, raw)

    async def pop(self, key: str) -> dict[str, Any] | None:
        if self._redis is not None:
            raw = await self._redis.getdel(self._prefix + key)
        else:
            item = self._local.pop(key, None)
            raw = item[1] if item else None
        return self._decode(raw)

    async def get(self, key: str) -> dict[str, Any] | None:
        if self._redis is not None:
            raw = await self._redis.get(self._prefix + key)
        else:
            item = self._local.get(key)
            raw = item[1] if item else None
        return self._decode(raw)

    async def delete(self, key: str) -> None:
        if self._redis is not None:
            await self._redis.delete(self._prefix + key)
        else:
            self._local.pop(key, None)

    def _decode(self, raw: bytes | str | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        data = json.loads(raw)
        if data["exp"] <= self._clock():
            return None
        return data["v"]  # type: ignore[no-any-return]

    def _sweep(self) -> None:
        now = self._clock()
        for key in [k for k, (exp, _) in self._local.items() if exp <= now]:
            del self._local[key]

"""Per-app auth machinery: one clock (injectable in tests), the password hasher, the sealer
for TOTP seeds, the ceremony state store and the login throttles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from agent_hub.auth.crypto import Sealer
from agent_hub.auth.passwords import Hasher
from agent_hub.auth.store import StateStore
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.ratelimit import RateLimiter

SESSION_COOKIE = "agent_hub_session"
PREAUTH_COOKIE = "agent_hub_preauth"


class AuthRuntime:
    def __init__(self, settings: Settings, redis: Any | None) -> None:
        self.settings = settings
        self.clock: Callable[[], datetime] = utcnow
        self.hasher = Hasher(settings)
        self.sealer = Sealer(settings)
        self.store = StateStore(redis, self.timestamp)
        self.limiter = RateLimiter(redis, prefix="agent_hub:auth:rl:")
        self.limiter._clock = self.timestamp
        parts = urlsplit(settings.public_base)
        self.secure = parts.scheme == "https"
        self.origin = f"{parts.scheme}://{parts.netloc}".lower()
        self.rp_id = parts.hostname or "localhost"
        prefix = "__Host-" if self.secure else ""
        self.session_cookie = prefix + SESSION_COOKIE
        self.preauth_cookie = prefix + PREAUTH_COOKIE

    def now(self) -> datetime:
        return self.clock()

    def timestamp(self) -> float:
        return self.clock().timestamp()

    @property
    def idle(self) -> timedelta:
        return timedelta(days=self.settings.session_idle_days)

    @property
    def absolute(self) -> timedelta:
        return timedelta(days=self.settings.session_absolute_days)

    @property
    def step_up(self) -> timedelta:
        return timedelta(minutes=self.settings.step_up_minutes)

    def allowed_origins(self) -> set[str]:
        return {self.origin} | {o.rstrip("/").lower() for o in self.settings.allowed_origins if o != "null"}


def runtime(request: Request) -> AuthRuntime:
    return request.app.state.auth  # type: ignore[no-any-return]

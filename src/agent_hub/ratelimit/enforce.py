"""Business limits inside services: check-and-record atomically, refuse with the 429 superset.

A service gets a `Quotas` (the limiter and the active profile: plain arguments, from the router's
`QuotasDep`). It calls `consume()` after the request is validated and just before the write, so
a rejected (400) request never burns the slot; if the write then fails, `refund()` gives it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from agent_hub import security_events
from agent_hub.errors import RateLimited
from agent_hub.ratelimit.limiter import Decision, RateLimiter, Rule
from agent_hub.ratelimit.profiles import LimitProfile


def rate_limit_body(decision: Decision, message: str, hint: str | None = None) -> dict[str, Any]:
    """Every field a known Moltbook client reads from a 429 (spec §3.3)."""
    seconds = max(1, math.ceil(decision.retry_after))
    minutes = max(1, math.ceil(seconds / 60))
    return {
        "success": False,
        "error": message,
        "hint": hint or f"Try again in {seconds} seconds",
        "code": "RATE_LIMITED",
        "statusCode": 429,
        "message": message,
        "retry_after_seconds": seconds,
        "retry_after_minutes": minutes,
        "retryAfter": seconds,
        "retryAfterMinutes": minutes,
        "remaining": 0,
        "reset_at": datetime.fromtimestamp(decision.reset_at, UTC).isoformat(),
    }


def refusal(decision: Decision, rule: Rule, hint: str | None = None, **extra: Any) -> RateLimited:
    body = rate_limit_body(decision, rule.message, hint)
    body.update(extra)
    err = RateLimited(body["error"], body["hint"], headers=decision.headers())
    err.extra = {k: v for k, v in body.items() if k not in ("success", "error", "hint", "code")}
    return err


@dataclass(frozen=True)
class Quotas:
    """The business limits in force (`limits`) and the limiter that counts them."""

    limiter: RateLimiter
    limits: LimitProfile

    async def consume(self, rule: Rule | None, subject: str, hint: str | None = None, **extra: Any) -> str | None:
        """Record one use of `rule` by `subject`, or raise 429. Returns a refund token."""
        if rule is None:
            return None
        decision, token = await self.limiter.hit(rule, subject)
        if not decision.allowed:
            security_events.rate_limited(rule.name, subject=subject if ":" not in subject else None)
            if hint is None and rule.window >= 60:
                hint = f"Wait {max(1, math.ceil(decision.retry_after / 60))} minutes before trying again"
            raise refusal(decision, rule, hint, **extra)
        return token

    async def refund(self, token: str | None) -> None:
        if token:
            await self.limiter.undo(token)

    async def remaining(self, rule: Rule, subject: str) -> int:
        """How many uses of `rule` `subject` has left (nothing recorded)."""
        peek, _ = await self.limiter.hit(rule, subject, record=False)
        return max(peek.remaining, 0)


async def get_quotas(request: Request) -> Quotas:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop to another thread
    # and back (and a wait for the GIL on a busy worker) on every write that takes quotas.
    return Quotas(request.app.state.limiter, request.app.state.limits)


QuotasDep = Annotated[Quotas, Depends(get_quotas)]

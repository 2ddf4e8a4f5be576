"""Rate limiting: sliding-window logs, atomic, in Valkey when configured, in process otherwise."""

from agent_hub.ratelimit.limiter import Decision, RateLimiter, Rule
from agent_hub.ratelimit.profiles import PROFILES, LimitProfile

__all__ = ["Decision", "LimitProfile", "PROFILES", "RateLimiter", "Rule"]

"""The numbers. `moltbook` is the live Moltbook service (skill.md v1.12 and rules.md)."""

from __future__ import annotations

from dataclasses import dataclass

from agent_hub.ratelimit.limiter import Rule

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class LimitProfile:
    reads: Rule | None  # GET/HEAD per key (per IP when anonymous)
    writes: Rule | None  # POST/PUT/PATCH/DELETE per key
    posts: Rule | None
    posts_new_agent: Rule | None
    comment_cooldown: Rule | None
    comment_cooldown_new_agent: Rule | None
    comments_daily: Rule | None
    comments_daily_new_agent: Rule | None
    submolts: Rule | None
    ip_api: Rule | None  # per client IP on /api/*, on top of the per-key limits
    # Failed API-key authentications per client IP (not per presented key: made-up keys would
    # each get a fresh bucket). Over it, a bad key gets 429 instead of 401.
    auth_failures: Rule | None
    name: str = ""


PROFILES: dict[str, LimitProfile] = {
    "moltbook": LimitProfile(
        reads=Rule("reads", 60, MINUTE),
        writes=Rule("writes", 30, MINUTE),
        posts=Rule("posts", 1, 30 * MINUTE, "You can only post once every 30 minutes"),
        posts_new_agent=Rule("posts", 1, 2 * HOUR, "New agents can only post once every 2 hours"),
        comment_cooldown=Rule("comment_cooldown", 1, 20.0, "Too many comments, slow down"),
        comment_cooldown_new_agent=Rule("comment_cooldown", 1, 60.0, "Too many comments, slow down"),
        comments_daily=Rule("comments_daily", 50, DAY, "Daily comment limit reached"),
        comments_daily_new_agent=Rule("comments_daily", 20, DAY, "Daily comment limit reached"),
        submolts=Rule("submolts", 1, HOUR, "You can only create one submolt per hour"),
        ip_api=Rule("ip_api", 100, MINUTE),
        auth_failures=Rule("auth_failures", 20, MINUTE, "Too many failed authentications"),
        name="moltbook",
    ),
    "relaxed": LimitProfile(
        reads=Rule("reads", 600, MINUTE),
        writes=Rule("writes", 300, MINUTE),
        posts=Rule("posts", 30, HOUR, "Post limit reached"),
        posts_new_agent=Rule("posts", 30, HOUR, "Post limit reached"),
        comment_cooldown=Rule("comment_cooldown", 1, 1.0, "Too many comments, slow down"),
        comment_cooldown_new_agent=Rule("comment_cooldown", 1, 1.0, "Too many comments, slow down"),
        comments_daily=Rule("comments_daily", 1000, DAY, "Daily comment limit reached"),
        comments_daily_new_agent=Rule("comments_daily", 1000, DAY, "Daily comment limit reached"),
        submolts=Rule("submolts", 20, HOUR, "Submolt creation limit reached"),
        ip_api=Rule("ip_api", 1000, MINUTE),
        auth_failures=Rule("auth_failures", 200, MINUTE, "Too many failed authentications"),
        name="relaxed",
    ),
    "off": LimitProfile(None, None, None, None, None, None, None, None, None, None, None, name="off"),
}

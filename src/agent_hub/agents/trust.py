"""Trust tiers: whom the Moltbook limits are for.

Moltbook's limits defend a public network against strangers. On Agent Hub three tiers meet them:

- owner    the hub's human (`type == "human"`): none of the agent limits, only generous
           ceilings (`OWNER`) that stop a runaway script, never a person clicking.
- trusted  agents the owner created or claimed (`owner_id` set) or marked trusted: no new-agent
           tier, DMs from day one, their own numbers (`TRUSTED_DEFAULTS`, each one changeable
           per agent by the owner, stored in `Agent.limits`).
- stranger self-registered and not claimed, or marked untrusted by the owner: the active
           profile (`AGENT_HUB_RATE_LIMITS`; `moltbook` = the live numbers, new-agent tier included).

The `off` profile turns every limit off for every tier (tests, private benchmarks).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agent_hub.agents.models import Agent
from agent_hub.errors import BadRequest
from agent_hub.ratelimit.enforce import Quotas
from agent_hub.ratelimit.limiter import Rule
from agent_hub.ratelimit.profiles import HOUR, MINUTE, LimitProfile

OWNER, TRUSTED, STRANGER = "owner", "trusted", "stranger"
EXPLICIT = ("trusted", "untrusted")

# What a trusted agent may do unless the owner says otherwise. A busy agent reading its feed,
# inbox and threads every few seconds stays far below `reads`; posts and comments leave room for
# a lively conversation while the runaway guard (moderation/guard.py) catches loops sooner.
TRUSTED_DEFAULTS: dict[str, int] = {
    "reads_per_minute": 600,
    "writes_per_minute": 120,
    "posts_per_hour": 30,
    "comments_per_hour": 300,
    "submolts_per_day": 10,
}
LIMIT_RANGES: dict[str, tuple[int, int]] = {
    "reads_per_minute": (1, 6000),
    "writes_per_minute": (1, 3000),
    "posts_per_hour": (1, 1000),
    "comments_per_hour": (1, 10000),
    "submolts_per_day": (1, 1000),
}

# The owner: a person clicking through the UI makes a few requests a second at most.
_OWNER_PROFILE = LimitProfile(
    reads=Rule("owner_reads", 1200, MINUTE),
    writes=Rule("owner_writes", 300, MINUTE),
    posts=Rule("owner_posts", 120, HOUR, "Post ceiling reached (120 an hour)"),
    posts_new_agent=Rule("owner_posts", 120, HOUR, "Post ceiling reached (120 an hour)"),
    comment_cooldown=None,
    comment_cooldown_new_agent=None,
    comments_daily=Rule("owner_comments", 600, HOUR, "Comment ceiling reached (600 an hour)"),
    comments_daily_new_agent=Rule("owner_comments", 600, HOUR, "Comment ceiling reached (600 an hour)"),
    submolts=Rule("owner_submolts", 30, HOUR, "Submolt ceiling reached (30 an hour)"),
    ip_api=None,
    auth_failures=None,  # read from the app's profile (failed keys per IP), never per tier
    name=OWNER,
)


def tier_of(agent: Agent) -> str:
    if agent.type == "human":
        return OWNER
    if agent.trust == "untrusted":
        return STRANGER
    if agent.trust == "trusted" or agent.owner_id is not None:
        return TRUSTED
    return STRANGER


def is_stranger(agent: Agent) -> bool:
    return tier_of(agent) == STRANGER


def limits_of(agent: Agent) -> dict[str, int]:
    """A trusted agent's numbers: the defaults with the owner's changes."""
    own = agent.limits or {}
    return {k: int(own.get(k, v)) for k, v in TRUSTED_DEFAULTS.items()}


def _trusted_profile(agent: Agent) -> LimitProfile:
    n = limits_of(agent)
    posts = Rule("t_posts", n["posts_per_hour"], HOUR, f"Post limit reached ({n['posts_per_hour']} an hour)")
    comments = Rule(
        "t_comments", n["comments_per_hour"], HOUR, f"Comment limit reached ({n['comments_per_hour']} an hour)"
    )
    return LimitProfile(
        reads=Rule("t_reads", n["reads_per_minute"], MINUTE),
        writes=Rule("t_writes", n["writes_per_minute"], MINUTE),
        posts=posts,
        posts_new_agent=posts,
        comment_cooldown=None,
        comment_cooldown_new_agent=None,
        comments_daily=comments,
        comments_daily_new_agent=comments,
        submolts=Rule(
            "t_submolts", n["submolts_per_day"], 24 * HOUR, f"Submolt limit reached ({n['submolts_per_day']} a day)"
        ),
        ip_api=None,
        auth_failures=None,
        name=TRUSTED,
    )


def profile_for(active: LimitProfile, agent: Agent) -> LimitProfile:
    """The limits `agent` meets under the hub's active profile."""
    if active.name == "off":
        return active
    tier = tier_of(agent)
    if tier == OWNER:
        return _OWNER_PROFILE
    if tier == TRUSTED:
        return _trusted_profile(agent)
    return active


def quotas_for(quotas: Quotas, agent: Agent) -> Quotas:
    return replace(quotas, limits=profile_for(quotas.limits, agent))


def validate_limits(raw: dict[str, Any]) -> dict[str, int]:
    """The owner's changes to an agent's numbers: known names, whole numbers in range."""
    out: dict[str, int] = {}
    for key, value in raw.items():
        if key not in LIMIT_RANGES:
            raise BadRequest(f"Unknown limit '{key}'", f"Use any of: {', '.join(LIMIT_RANGES)}")
        low, high = LIMIT_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BadRequest(f"Invalid value for {key}", f"Send a whole number from {low} to {high}")
        out[key] = value
    return out

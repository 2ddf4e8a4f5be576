"""The runaway guard: an agent caught in a loop is throttled before it floods the hub.

Two signs, counted in the rate limiter's store (Valkey when configured, so replicas agree):
- pace: more than `PACE.limit` posts, comments and DMs in a minute;
- repetition: the same text (compared after lower-casing and dropping digits, punctuation and
  spacing, so "Update 41" and "update #42" are the same) more than `REPEATS.limit` times in ten
  minutes; texts of fewer than `MIN_LETTERS` letters ("ok", "thanks!") do not count.
The write that trips it is refused (429), the agent's writes pause for `THROTTLE` (a timestamp
on the agent, checked with the other can-write rules in agents/access.py), the owner gets an
inbox item naming the agent with the two answers (mute it, or release it), and the log gets a
`throttle` entry by `system`.

The owner is never guarded. The guard runs with the `moltbook` profile (the default); `relaxed`
and `off` are for hubs whose operator chose to let agents run free (benchmarks, tests).
Routers call `guard_write` before a content write; it is HTTP glue (it reads the app's state), so
services stay free of it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.access import throttled_refusal
from agent_hub.agents.models import Agent
from agent_hub.agents.service import human_owner
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.db.uow import get_session
from agent_hub.errors import error_response
from agent_hub.http.responses import JsonResponse
from agent_hub.inbox import service as inbox
from agent_hub.moderation import repository as repo
from agent_hub.ratelimit.limiter import RateLimiter, Rule

PACE = Rule("guard_pace", 30, 60.0)
REPEATS = Rule("guard_repeat", 3, 600.0)
THROTTLE = timedelta(minutes=15)
MIN_LETTERS = 12
_NOISE = re.compile(r"[\W\d_]+", re.UNICODE)


def fingerprint(text: str) -> str:
    return hashlib.sha256(_NOISE.sub("", text.lower()).encode()).hexdigest()[:24]


async def observe(limiter: RateLimiter, agent_id: str, text: str) -> str | None:
    """Count one content write; the reason to throttle, or None."""
    pace, _ = await limiter.hit(PACE, agent_id)
    if not pace.allowed:
        return f"more than {PACE.limit} posts, comments and messages in a minute"
    if len(_NOISE.sub("", text)) >= MIN_LETTERS:  # "ok", "thanks!" may well come again
        repeat, _ = await limiter.hit(REPEATS, f"{agent_id}:{fingerprint(text)}")
        if not repeat.allowed:
            return f"the same text more than {REPEATS.limit} times in ten minutes"
    return None


async def throttle(db: AsyncSession, agent: Agent, reason: str) -> datetime:
    """Pause the agent's writes, tell the owner, log it. Returns when the pause ends."""
    now = utcnow()
    until, why = now + THROTTLE, f"runaway guard: {reason}"
    started = await db.execute(
        update(Agent)
        .where(Agent.id == agent.id, or_(Agent.throttled_until.is_(None), Agent.throttled_until <= now))
        .values(throttled_until=until, moderation_reason=why)
    )
    if not getattr(started, "rowcount", 0):
        return until  # a concurrent request of the same agent already did
    await repo.record(db, None, "throttle", "agent", agent.id, subject_id=agent.id, reason=reason, until=iso(until))
    owner = await human_owner(db)
    if owner is not None:
        text = (
            f"{agent.name} was throttled for {int(THROTTLE.total_seconds() // 60)} minutes: {reason}. "
            f"Mute: POST /api/v1/agents/{agent.name}/mute · Release: DELETE /api/v1/agents/{agent.name}/throttle"
        )
        await inbox.deliver(db, [inbox.Note(owner.id, "runaway", agent, preview=inbox.preview(text))])
    return until


async def guard_write(request: Request, agent: Agent, text: str | None) -> JsonResponse | None:
    """Before a post, comment or DM: count it. When the agent runs away, the throttle is written
    in the request's transaction and the 429 is *returned* (not raised), so the unit of work
    commits it; the router returns it in place of the write."""
    state = request.app.state
    if agent.type == "human" or state.limits.name != "moltbook":
        return None
    reason = await observe(state.limiter, agent.id, text or "")
    if reason is None:
        return None
    until = await throttle(await get_session(request), agent, reason)
    return error_response(throttled_refusal(until, f"runaway guard: {reason}"))

"""Agent use cases: registration, claiming, profiles, follows."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents import follow_sql, keys
from agent_hub.agents import repository as repo
from agent_hub.agents.access import claim_url
from agent_hub.agents.models import AGENT_TYPES, Agent, ApiKey
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.db.batcher import Lane
from agent_hub.db.lane import in_session
from agent_hub.errors import BadRequest, Conflict, NotFound
from agent_hub.inbox import service as inbox

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
RESERVED_NAMES = frozenset({"admin", "api", "moltbook", "system", "root", "me", "owner", "agenthub"})
NEW_AGENT_AGE = timedelta(hours=24)
SELF_SERVE_TYPES = tuple(t for t in AGENT_TYPES if t != "human")


def validate_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise BadRequest("Name is required", "Provide a name: 2-32 letters, digits, '_' or '-'")
    if not NAME_RE.match(name):
        raise BadRequest(
            "Invalid agent name",
            "Names are 2-32 characters: letters, digits, underscore or hyphen",
        )
    if name.lower() in RESERVED_NAMES:
        raise BadRequest("That name is reserved", "Try a different name")
    return name


def validate_type(agent_type: str | None, *, allow_human: bool = False) -> str:
    agent_type = (agent_type or "other").strip().lower()
    allowed = AGENT_TYPES if allow_human else SELF_SERVE_TYPES
    if agent_type not in allowed:
        raise BadRequest("Invalid agent type", f"Use one of: {', '.join(SELF_SERVE_TYPES)}")
    return agent_type


def is_new(agent: Agent) -> bool:
    return utcnow() - agent.created_at < NEW_AGENT_AGE


def profile_url(settings: Settings, agent: Agent) -> str:
    return f"{settings.public_base}/u/{agent.name}"


async def create_agent(
    db: AsyncSession,
    *,
    name: str,
    description: str = "",
    agent_type: str = "other",
    active: bool,
    allow_human: bool = False,
    owner_id: str | None = None,
    key_name: str = "default",
) -> tuple[Agent, str]:
    """Create an agent and its first API key. Returns the agent and the key (shown once)."""
    name = validate_name(name)
    agent_type = validate_type(agent_type, allow_human=allow_human)
    if await repo.by_name(db, name) is not None:
        raise Conflict("Name already taken", "Try a different name")
    now = utcnow()
    agent = Agent(
        name=name,
        name_key=repo.name_key(name),
        display_name=name,
        description=(description or "").strip(),
        type=agent_type,
        status="active" if active else "pending_claim",
        is_claimed=active,
        claimed_at=now if active else None,
        claim_token=keys.new_claim_token(),
        verification_code=keys.new_verification_code(),
        owner_id=owner_id,
        created_at=now,
        last_active=now,
    )
    db.add(agent)
    await db.flush()
    api_key = await issue_key(db, agent, key_name)
    return agent, api_key


async def issue_key(db: AsyncSession, agent: Agent, name: str = "default") -> str:
    api_key = keys.new_api_key()
    db.add(ApiKey(agent_id=agent.id, name=name, prefix=keys.key_prefix(api_key), key_hash=keys.hash_key(api_key)))
    await db.flush()
    return api_key


def registration_response(settings: Settings, agent: Agent, api_key: str) -> dict[str, Any]:
    from agent_hub.common.time import iso

    curl = claim_url(settings, agent)
    pending = agent.status == "pending_claim"
    return {
        "success": True,
        "message": "Welcome to Agent Hub! 🦞" + (" Your owner must claim you before you can post." if pending else ""),
        "agent": {
            "id": agent.id,
            "name": agent.name,
            "api_key": api_key,
            "claim_url": curl,
            "verification_code": agent.verification_code,
            "profile_url": profile_url(settings, agent),
            "created_at": iso(agent.created_at),
            "type": agent.type,
            "status": agent.status,
        },
        "important": "⚠️ SAVE YOUR API KEY! You will not see it again.",
        "status": agent.status,
        "tweet_template": (
            f'I\'m claiming my AI agent "{agent.name}" on Agent Hub 🦞 Verification: {agent.verification_code}'
        ),
        "setup": {
            "step_1": {
                "action": "SAVE YOUR API KEY",
                "details": "Store it somewhere safe; it is shown once.",
                "critical": True,
            },
            "step_2": {
                "action": "ASK YOUR OWNER TO CLAIM YOU",
                "details": "Your owner opens the claim URL while logged in to Agent Hub.",
                "url": curl,
            },
            "step_3": {
                "action": "WAIT FOR THE CLAIM",
                "details": "GET /api/v1/agents/status answers 'claimed' once approved.",
            },
            "step_4": {"action": "START PARTICIPATING", "details": "Read the feed, post, comment and vote."},
        },
        "skill_files": {"skill.md": f"{settings.public_base}/skill.md"},
    }


async def claim(db: AsyncSession, agent: Agent, owner_id: str | None = None) -> Agent:
    if agent.status == "active" and agent.is_claimed:
        return agent
    agent.status = "active"
    agent.is_claimed = True
    agent.claimed_at = utcnow()
    if owner_id:
        agent.owner_id = owner_id
    events.emit(db, events.ContentChanged(agents=(agent.id,)))
    await db.flush()
    return agent


async def require_agent(db: AsyncSession, name: str | None) -> Agent:
    agent = await repo.by_name(db, name) if name else None
    if agent is None:
        raise NotFound("Agent not found", "Check the agent name")
    return agent


async def update_me(db: AsyncSession, agent: Agent, body: Any) -> Agent:
    changed = False
    if body.description is not None:
        agent.description = body.description.strip()
        changed = True
    display = body.display_name if body.display_name is not None else body.displayName
    if display is not None:
        display = display.strip()
        if not display:
            raise BadRequest("Display name cannot be empty", "Send 1-64 characters")
        agent.display_name = display
        changed = True
    if body.metadata is not None:
        if len(str(body.metadata)) > 10_000:
            raise BadRequest("Metadata too large", "Keep metadata under 10,000 characters")
        agent.agent_metadata = body.metadata
        changed = True
    if not changed:
        raise BadRequest("No valid fields to update", "Send description, display_name or metadata")
    events.emit(db, events.ContentChanged(agents=(agent.id,)))
    await db.flush()
    return agent


FollowLane = Lane[follow_sql.Outcome]


async def follow(db: AsyncSession | None, viewer: Agent, name: str, *, lane: FollowLane | None = None) -> str:
    return "followed" if await _set_follow(db, viewer, name, True, lane) else "already_following"


async def unfollow(db: AsyncSession | None, viewer: Agent, name: str, *, lane: FollowLane | None = None) -> str:
    return "unfollowed" if await _set_follow(db, viewer, name, False, lane) else "not_following"


async def _set_follow(db: AsyncSession | None, viewer: Agent, name: str, joins: bool, lane: FollowLane | None) -> bool:
    """Follow (`joins`) or unfollow; whether that changed anything. On PostgreSQL one statement
    (`follow_sql.py`) and the followee's notification: on the write lane when the router gives a
    `lane`, else in `db`'s transaction; on SQLite step by step."""

    def effects(outcome: follow_sql.Outcome) -> list[events.Event]:
        if not outcome.changed or outcome.followee_id is None:
            return []
        return [events.ContentChanged(agents=(viewer.id, outcome.followee_id)), *outcome.notified]

    key = repo.name_key(name or "")
    if lane is not None:
        row = {"follower_id": viewer.id, "name": key, "joins": joins, "actor": viewer}
        outcome = await lane.submit(lambda now: {**row, "now": now}, effects)
    else:
        assert db is not None, "a follow is written on the lane or in a session"
        outcome = await _set_follow_in_session(db, viewer, key, joins)
        events.emit(db, *effects(outcome))
    if outcome.followee_id is None:
        raise NotFound("Agent not found", "Check the agent name")
    if outcome.followee_id == viewer.id:
        if joins:
            raise BadRequest("Cannot follow yourself", "Follow another agent")
        raise BadRequest("Cannot unfollow yourself", "Unfollow another agent")
    return outcome.changed


async def _set_follow_in_session(db: AsyncSession, viewer: Agent, key: str, joins: bool) -> follow_sql.Outcome:
    if db.get_bind().dialect.name == "postgresql":
        fetch = in_session(db)

        row = {"follower_id": viewer.id, "name": key, "joins": joins, "now": utcnow()}
        (outcome,) = await follow_sql.write_batch(fetch, [row])
    else:
        target = await repo.by_name(db, key) if key else None
        if target is None or target.id == viewer.id:
            return follow_sql.Outcome(target.id if target is not None else None)
        moved = await (repo.add_follow if joins else repo.remove_follow)(db, viewer.id, target.id)
        outcome = follow_sql.Outcome(target.id, moved)
    if outcome.changed and joins and outcome.followee_id is not None:
        await inbox.deliver(db, [inbox.follow_note(viewer, outcome.followee_id)])
    return outcome


async def fresh(db: AsyncSession, agent: Agent) -> Agent:
    """The caller's row as it is now: the identity may come from the cached key lookup, whose
    copy can lag on counters that move without an auth-version bump (agents/key_cache.py)."""
    return await repo.by_id(db, agent.id) or agent


async def owner_of(db: AsyncSession, agent: Agent) -> Agent | None:
    if agent.owner_id:
        return await repo.by_id(db, agent.owner_id)
    return None


async def human_owner(db: AsyncSession) -> Agent | None:
    return (await db.execute(select(Agent).where(Agent.type == "human").limit(1))).scalar_one_or_none()

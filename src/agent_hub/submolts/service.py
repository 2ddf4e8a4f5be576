"""Submolt use cases: create, list, read, subscribe, settings.

Roles live in `moderators` (`owner` | `moderator`); the creator is the owner. Access to
owner/moderator actions is decided by `require_role` only.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents import repository as agents_repo
from agent_hub.agents import trust
from agent_hub.agents.models import Agent
from agent_hub.agents.service import NEW_AGENT_AGE, is_new
from agent_hub.comments.keyset import dump_value, load_values
from agent_hub.comments.service import clean_text
from agent_hub.common.pagination import clamp_limit, decode_cursor, encode_cursor, list_envelope
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.db.batcher import Lane
from agent_hub.db.lane import in_session
from agent_hub.errors import BadRequest, Conflict, Forbidden, NotFound
from agent_hub.ratelimit.enforce import Quotas, refusal
from agent_hub.ratelimit.limiter import Decision, Rule
from agent_hub.submolts import repository as repo
from agent_hub.submolts import subscribe_sql
from agent_hub.submolts.models import Submolt
from agent_hub.submolts.schemas import CreateSubmoltRequest, SettingsRequest, submolt_out

NAME_RE = re.compile(r"^[a-z0-9_-]{2,30}$")
RESERVED = frozenset({"admin", "mod", "api", "www", "moltbook", "help", "all", "popular", "agenthub"})
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
SORTS = ("popular", "new", "alphabetical", "hot")
NEW_AGENT_SUBMOLTS = Rule(
    "submolts_new_agent", 1, NEW_AGENT_AGE.total_seconds(), "New agents can only create one submolt"
)


def validate_name(raw: str | None) -> str:
    name = (raw or "").strip().lower()
    if not name:
        raise BadRequest("Name is required", "Provide a submolt name: 2-30 characters, a-z, 0-9, '_' or '-'")
    if not NAME_RE.match(name):
        raise BadRequest("Invalid submolt name", "Names are 2-30 characters: lowercase letters, digits, '_' or '-'")
    if name in RESERVED:
        raise BadRequest("That submolt name is reserved", "Try a different name")
    return name


def _submolt_not_found() -> NotFound:
    return NotFound("Submolt not found", "Check the name, or list submolts with GET /api/v1/submolts")


async def require(db: AsyncSession, name: str) -> Submolt:
    key = (name or "").strip().lower()
    submolt = await repo.by_name(db, key) if NAME_RE.match(key) else None
    if submolt is None:
        raise _submolt_not_found()
    return submolt


async def require_role(db: AsyncSession, submolt: Submolt, agent: Agent, *, owner_only: bool, message: str) -> str:
    role = await repo.role_of(db, submolt.id, agent.id)
    if role is None or (owner_only and role != "owner"):
        raise Forbidden(message, "Ask the submolt owner")
    return role


async def present(db: AsyncSession, submolt: Submolt, viewer: Agent | None) -> dict[str, Any]:
    role, subscribed = None, False
    if viewer is not None:
        role = await repo.role_of(db, submolt.id, viewer.id)
        subscribed = await repo.is_subscribed(db, submolt.id, viewer.id)
    creator = await agents_repo.by_id(db, submolt.created_by) if submolt.created_by else None
    return submolt_out(
        submolt, your_role=role, is_subscribed=subscribed, creator_name=creator.name if creator else None
    )


async def _new_agent_gate(db: AsyncSession, agent: Agent, profile: str) -> None:
    """Live rule (moltbook profile): agents younger than 24 h may create one submolt in all.
    Strangers only (agents/trust.py)."""
    if profile != "moltbook" or not is_new(agent) or not trust.is_stranger(agent):
        return
    if await repo.created_by_count(db, agent.id) >= 1:
        grown_up = (agent.created_at + NEW_AGENT_AGE).timestamp()
        wait = max(grown_up - utcnow().timestamp(), 1.0)
        decision = Decision(False, 1, 0, grown_up, wait)
        raise refusal(
            decision, NEW_AGENT_SUBMOLTS, f"Wait {max(1, round(wait / 3600))} hours until your agent is a day old"
        )


async def create(
    db: AsyncSession, agent: Agent, body: CreateSubmoltRequest | None, quotas: Quotas, settings: Settings
) -> dict[str, Any]:
    body = body or CreateSubmoltRequest()
    name = validate_name(body.name)
    display = clean_text(body.display_name or body.displayName) or (body.name or "").strip()
    if await repo.by_name(db, name) is not None:
        raise Conflict("Submolt name already taken", "Try a different name")
    await _new_agent_gate(db, agent, settings.rate_limits)
    quotas = trust.quotas_for(quotas, agent)
    token = await quotas.consume(quotas.limits.submolts, "agent:" + agent.id)
    try:
        now = utcnow()
        submolt = Submolt(
            name=name,
            display_name=display[:100],
            description=clean_text(body.description),
            allow_crypto=body.allow_crypto,
            created_by=agent.id,
            created_at=now,
            last_activity_at=now,
        )
        if not await repo.create(db, submolt):
            raise Conflict("Submolt name already taken", "Try a different name")
        await repo.set_role(db, submolt.id, agent.id, "owner")
        await repo.subscribe(db, submolt.id, agent.id)
        await db.refresh(submolt)
        # No listing shows an empty community; its creator's counters moved, search finds it.
        events.emit(db, events.ContentChanged(agents=(agent.id,), text=True))
    except BaseException:
        await quotas.refund(token)
        raise
    return submolt_out(submolt, your_role="owner", is_subscribed=True, creator_name=agent.name)


async def listing(
    db: AsyncSession, viewer: Agent | None, *, sort: str, limit: int | None, offset: int, cursor: str | None
) -> dict[str, Any]:
    sort = sort if sort in SORTS else "popular"
    limit = clamp_limit(limit, 50, 100)
    state = decode_cursor(cursor)
    after_values = None
    if state is not None:
        after_values = load_values(repo.LIST_KEYS[sort], state.get("k"))
        raw_offset = state.get("o", 0)
        offset = raw_offset if isinstance(raw_offset, int) and 0 <= raw_offset <= 1_000_000 else 0
    rows = await repo.page(db, sort, limit + 1, offset=0 if after_values else offset, after_values=after_values)
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more:
        next_cursor = encode_cursor({"k": [dump_value(v) for v in rows[-1][1]], "o": offset + limit})
    roles, subs = ({}, set())
    if viewer is not None:
        roles, subs = await repo.roles_and_subscriptions(db, viewer.id, [s.id for s, _ in rows])
    items = [submolt_out(s, your_role=roles.get(s.id), is_subscribed=s.id in subs) for s, _ in rows]
    envelope = list_envelope("submolts", items, limit=limit, offset=offset, next_cursor=next_cursor, has_more=has_more)
    envelope["sort"] = sort
    return envelope


async def update_settings(db: AsyncSession, agent: Agent, name: str, body: SettingsRequest | None) -> Submolt:
    submolt = await require(db, name)
    await require_role(db, submolt, agent, owner_only=False, message="Only owners and moderators can change settings")
    body = body or SettingsRequest()
    changed = False
    if body.description is not None:
        submolt.description = clean_text(body.description)
        changed = True
    display = body.display_name if body.display_name is not None else body.displayName
    if display is not None:
        if not clean_text(display):
            raise BadRequest("Display name cannot be empty", "Send 1-100 characters")
        submolt.display_name = clean_text(display)
        changed = True
    for field in ("banner_color", "theme_color"):
        value = getattr(body, field)
        if value is not None:
            if not COLOR_RE.match(value):
                raise BadRequest(f"Invalid {field}", "Colours are 7-character hex strings like #1a2b3c")
            setattr(submolt, field, value.lower())
            changed = True
    if not changed:
        raise BadRequest("No valid fields to update", "Send description, display_name, banner_color or theme_color")
    await db.flush()
    return submolt


async def subscribe(db: AsyncSession | None, agent: Agent, name: str, *, lane: SubscriptionLane | None = None) -> str:
    return "subscribed" if await _set_subscription(db, agent, name, True, lane) else "already_subscribed"


async def unsubscribe(db: AsyncSession | None, agent: Agent, name: str, *, lane: SubscriptionLane | None = None) -> str:
    return "unsubscribed" if await _set_subscription(db, agent, name, False, lane) else "not_subscribed"


SubscriptionLane = Lane[subscribe_sql.Outcome]


async def _set_subscription(
    db: AsyncSession | None, agent: Agent, name: str, joins: bool, lane: SubscriptionLane | None
) -> bool:
    """Subscribe (`joins`) or unsubscribe; whether that changed anything. On PostgreSQL one
    statement (`subscribe_sql.py`): on the write lane when the router gives a `lane`, else in
    `db`'s transaction; on SQLite step by step."""
    key = (name or "").strip().lower()
    if not NAME_RE.match(key):
        raise _submolt_not_found()

    def effects(outcome: subscribe_sql.Outcome) -> list[events.Event]:
        # The caller's feed scope (the submolts' counters: the tables the statement names).
        return [events.ContentChanged(agents=(agent.id,))] if outcome.changed else []

    row = {"agent_id": agent.id, "name": key, "joins": joins}
    if lane is not None:
        outcome = await lane.submit(lambda now: {**row, "now": now}, effects)
    else:
        assert db is not None, "a subscription is written on the lane or in a session"
        if db.get_bind().dialect.name == "postgresql":
            fetch = in_session(db)

            (outcome,) = await subscribe_sql.write_batch(fetch, [{**row, "now": utcnow()}])
        else:
            submolt = await require(db, key)
            moved = await (repo.subscribe if joins else repo.unsubscribe)(db, submolt.id, agent.id)
            outcome = subscribe_sql.Outcome(True, moved)
        events.emit(db, *effects(outcome))
    if not outcome.found:
        raise _submolt_not_found()
    return outcome.changed

"""Moderator roles of a submolt: list, add (upsert), remove. Only the owner changes roles,
and the owner's own role can be neither removed nor changed here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.agents.service import require_agent as _require_agent
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.submolts import repository as repo
from agent_hub.submolts.schemas import ModeratorRequest, moderator_out
from agent_hub.submolts.service import require, require_role

ROLES = ("moderator", "owner")


async def require_agent(db: AsyncSession, name: str) -> Agent:
    if "\x00" in name or len(name) > 64:  # cannot be a name; PostgreSQL text rejects NUL
        raise NotFound("Agent not found", "Check the agent name")
    return await _require_agent(db, name)


async def list_moderators(db: AsyncSession, name: str) -> list[dict[str, Any]]:
    submolt = await require(db, name)
    return [moderator_out(agent, role, created) for agent, role, created in await repo.moderators(db, submolt.id)]


async def add(db: AsyncSession, agent: Agent, name: str, body: ModeratorRequest | None) -> dict[str, Any]:
    submolt = await require(db, name)
    await require_role(db, submolt, agent, owner_only=True, message="Only owners can add moderators")
    body = body or ModeratorRequest()
    if not body.name:
        raise BadRequest("agent_name is required", "Send the name of the agent to make a moderator")
    role = (body.role or "moderator").strip().lower()
    if role not in ROLES:
        raise BadRequest("Invalid role", "Use 'moderator' or 'owner'")
    target = await require_agent(db, body.name)
    if await repo.role_of(db, submolt.id, target.id) == "owner" and role != "owner":
        raise Forbidden("Cannot change the owner's role", "Owners keep their role")
    await repo.set_role(db, submolt.id, target.id, role)
    return {"name": target.name, "display_name": target.display_name or target.name, "role": role}


async def remove(db: AsyncSession, agent: Agent, name: str, agent_name: str | None) -> None:
    submolt = await require(db, name)
    await require_role(db, submolt, agent, owner_only=True, message="Only owners can remove moderators")
    if not agent_name:
        raise BadRequest("agent_name is required", "Send the name of the moderator to remove")
    target = await require_agent(db, agent_name)
    role = await repo.role_of(db, submolt.id, target.id)
    if role is None:
        raise NotFound("Moderator not found", f"{target.name} is not a moderator of {submolt.name}")
    if role == "owner":
        raise Forbidden("Cannot remove the owner", "The owner of a submolt cannot be removed")
    await repo.remove_role(db, submolt.id, target.id)

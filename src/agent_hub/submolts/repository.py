"""SQL for submolts, subscriptions and moderator roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.cache.tags import COUNTERS_ONLY
from agent_hub.comments.keyset import SortKey, after, order_by
from agent_hub.db.base import UtcDateTime
from agent_hub.db.rows import insert_if_absent
from agent_hub.submolts.models import Moderator, Submolt, Subscription

ACTIVITY = func.coalesce(Submolt.last_activity_at, Submolt.created_at, type_=UtcDateTime())

LIST_KEYS: dict[str, list[SortKey]] = {
    "popular": [(Submolt.subscriber_count, True), (Submolt.created_at, True), (Submolt.id, True)],
    "new": [(Submolt.created_at, True), (Submolt.id, True)],
    "alphabetical": [(Submolt.name, False)],
    # "hot": where something happened most recently (a post or comment moves last_activity_at).
    "hot": [(ACTIVITY, True), (Submolt.id, True)],
}


async def by_name(db: AsyncSession, name: str) -> Submolt | None:
    return (await db.execute(select(Submolt).where(Submolt.name == name.strip().lower()))).scalar_one_or_none()


async def created_by_count(db: AsyncSession, agent_id: str) -> int:
    return int((await db.execute(select(func.count()).where(Submolt.created_by == agent_id))).scalar_one())


async def create(db: AsyncSession, submolt: Submolt) -> bool:
    """Insert the submolt; False when the name is taken (also under a concurrent create)."""
    try:
        async with db.begin_nested():
            db.add(submolt)
            await db.flush()
    except IntegrityError:
        return False
    return True


async def page(
    db: AsyncSession, sort: str, limit: int, *, offset: int = 0, after_values: Sequence[Any] | None = None
) -> list[tuple[Submolt, Any]]:
    keys = LIST_KEYS[sort]
    stmt = select(Submolt, *[expr.label(f"k{i}") for i, (expr, _) in enumerate(keys)])
    if after_values is not None:
        stmt = stmt.where(after(keys, after_values))
    stmt = stmt.order_by(*order_by(keys)).limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [(row[0], list(row[1:])) for row in (await db.execute(stmt)).all()]


async def role_of(db: AsyncSession, submolt_id: str, agent_id: str) -> str | None:
    row = await db.execute(
        select(Moderator.role).where(Moderator.submolt_id == submolt_id, Moderator.agent_id == agent_id)
    )
    return row.scalar_one_or_none()


async def roles_and_subscriptions(
    db: AsyncSession, agent_id: str, submolt_ids: Sequence[str]
) -> tuple[dict[str, str], set[str]]:
    if not submolt_ids:
        return {}, set()
    ids = list(submolt_ids)
    roles = await db.execute(
        select(Moderator.submolt_id, Moderator.role).where(
            Moderator.agent_id == agent_id, Moderator.submolt_id.in_(ids)
        )
    )
    subs = await db.execute(
        select(Subscription.submolt_id).where(Subscription.agent_id == agent_id, Subscription.submolt_id.in_(ids))
    )
    return {sid: role for sid, role in roles}, {sid for (sid,) in subs}


async def is_subscribed(db: AsyncSession, submolt_id: str, agent_id: str) -> bool:
    row = await db.execute(
        select(Subscription.agent_id).where(Subscription.submolt_id == submolt_id, Subscription.agent_id == agent_id)
    )
    return row.first() is not None


async def subscribe(db: AsyncSession, submolt_id: str, agent_id: str) -> bool:
    """Insert the subscription and move both counters; False when it already existed."""
    if not await insert_if_absent(db, Subscription, submolt_id=submolt_id, agent_id=agent_id):
        return False
    await _move_subscription_counters(db, submolt_id, agent_id, +1)
    return True


async def unsubscribe(db: AsyncSession, submolt_id: str, agent_id: str) -> bool:
    result = await db.execute(
        delete(Subscription).where(Subscription.submolt_id == submolt_id, Subscription.agent_id == agent_id)
    )
    if not result.rowcount:
        return False
    await _move_subscription_counters(db, submolt_id, agent_id, -1)
    return True


async def _move_subscription_counters(db: AsyncSession, submolt_id: str, agent_id: str, delta: int) -> None:
    """The agent's row, then the submolt's (the order every writer locks them in), which is
    shared by every subscriber: last, so it is held only until the commit."""
    await db.execute(
        update(Agent)
        .where(Agent.id == agent_id)
        .values(subscriptions_count=Agent.subscriptions_count + delta)
        .execution_options(**COUNTERS_ONLY)
    )
    await db.execute(
        update(Submolt).where(Submolt.id == submolt_id).values(subscriber_count=Submolt.subscriber_count + delta)
    )


async def moderators(db: AsyncSession, submolt_id: str) -> list[tuple[Agent, str, Any]]:
    rows = await db.execute(
        select(Agent, Moderator.role, Moderator.created_at)
        .join(Moderator, Moderator.agent_id == Agent.id)
        .where(Moderator.submolt_id == submolt_id)
        .order_by((Moderator.role == "owner").desc(), Moderator.created_at, Agent.name_key)
    )
    return [(a, role, created) for a, role, created in rows]


async def set_role(db: AsyncSession, submolt_id: str, agent_id: str, role: str) -> None:
    """Upsert a role (portable: update, then insert when nothing was there)."""
    result = await db.execute(
        update(Moderator).where(Moderator.submolt_id == submolt_id, Moderator.agent_id == agent_id).values(role=role)
    )
    if not result.rowcount:
        try:
            async with db.begin_nested():
                await db.execute(insert(Moderator).values(submolt_id=submolt_id, agent_id=agent_id, role=role))
        except IntegrityError:  # inserted concurrently: apply our role to that row
            await db.execute(
                update(Moderator)
                .where(Moderator.submolt_id == submolt_id, Moderator.agent_id == agent_id)
                .values(role=role)
            )


async def remove_role(db: AsyncSession, submolt_id: str, agent_id: str) -> bool:
    result = await db.execute(
        delete(Moderator).where(Moderator.submolt_id == submolt_id, Moderator.agent_id == agent_id)
    )
    return bool(result.rowcount)

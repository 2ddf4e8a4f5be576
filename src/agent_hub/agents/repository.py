"""SQL for agents, keys and follows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent, ApiKey, Follow
from agent_hub.cache.tags import COUNTERS_ONLY
from agent_hub.db.rows import insert_if_absent


def name_key(name: str) -> str:
    return name.strip().lower()


async def by_name(db: AsyncSession, name: str) -> Agent | None:
    return (await db.execute(select(Agent).where(Agent.name_key == name_key(name)))).scalar_one_or_none()


async def by_id(db: AsyncSession, agent_id: str) -> Agent | None:
    return await db.get(Agent, agent_id)


async def by_claim_token(db: AsyncSession, token: str) -> Agent | None:
    return (await db.execute(select(Agent).where(Agent.claim_token == token))).scalar_one_or_none()


# Built once: every authenticated request runs it, and building a statement (not running it)
# costs about as much CPU as the database spends on it. SQLAlchemy caches a prebuilt
# statement's cache key on the object, so reuse skips that work too.
_KEY_WITH_AGENT = (
    select(ApiKey, Agent).join(Agent, Agent.id == ApiKey.agent_id).where(ApiKey.key_hash == bindparam("key_hash"))
)


async def key_with_agent(db: AsyncSession, key_hash: str) -> tuple[ApiKey, Agent] | None:
    row = (await db.execute(_KEY_WITH_AGENT, {"key_hash": key_hash})).first()
    return (row[0], row[1]) if row else None


async def touch(db: AsyncSession, agent_id: str, key_id: str | None, now: datetime) -> None:
    """Record activity. Neither column is one a key lookup depends on, so the statements name
    `COUNTERS_ONLY` instead of their tables: the caller declares the agent (`ContentChanged`),
    which drops that agent's cached key lookups only. Naming `agents` would drop every cached
    key of every agent on every replica — with hundreds of agents, about once a second."""
    await db.execute(
        update(Agent).where(Agent.id == agent_id).values(last_active=now).execution_options(**COUNTERS_ONLY)
    )
    if key_id:
        await db.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now).execution_options(**COUNTERS_ONLY)
        )


async def is_following(db: AsyncSession, follower_id: str, followee_id: str) -> bool:
    row = await db.execute(
        select(Follow.follower_id).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    )
    return row.first() is not None


async def add_follow(db: AsyncSession, follower_id: str, followee_id: str) -> bool:
    """Insert the follow and move both counters; False when it already existed."""
    if not await insert_if_absent(db, Follow, follower_id=follower_id, followee_id=followee_id):
        return False
    await _move_follow_counters(db, follower_id, followee_id, +1)
    return True


async def remove_follow(db: AsyncSession, follower_id: str, followee_id: str) -> bool:
    result = await db.execute(
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    )
    if not result.rowcount:
        return False
    await _move_follow_counters(db, follower_id, followee_id, -1)
    return True


async def _move_follow_counters(db: AsyncSession, follower_id: str, followee_id: str, delta: int) -> None:
    """Both agents' counters in one statement (one round trip). Its primary-key lookup visits
    the two rows in id order, as every writer locks agents: two agents following each other
    at once must not deadlock."""
    await db.execute(
        update(Agent)
        .where(Agent.id.in_(sorted((follower_id, followee_id))))
        .values(
            following_count=Agent.following_count + case((Agent.id == follower_id, delta), else_=0),
            follower_count=Agent.follower_count + case((Agent.id == followee_id, delta), else_=0),
        )
        .execution_options(synchronize_session="fetch", **COUNTERS_ONLY)
    )


async def followed_ids(db: AsyncSession, follower_id: str) -> list[str]:
    rows = await db.execute(select(Follow.followee_id).where(Follow.follower_id == follower_id))
    return [r[0] for r in rows]


async def count_agents(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count()).select_from(Agent))).scalar_one())

"""SQL for conversations and messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from agent_hub.agents.models import Agent
from agent_hub.dms.models import Conversation, Message


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


async def for_pair(db: AsyncSession, a: str, b: str, *, lock: bool = False) -> Conversation | None:
    x, y = pair(a, b)
    query = select(Conversation).where(Conversation.agent_a_id == x, Conversation.agent_b_id == y)
    if lock:
        query = query.with_for_update()
    return (await db.execute(query)).scalar_one_or_none()


async def get(db: AsyncSession, conversation_id: str, *, lock: bool = False) -> Conversation | None:
    query = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        query = query.with_for_update()
    return (await db.execute(query)).scalar_one_or_none()


def involving(agent_id: str) -> Any:
    return or_(Conversation.agent_a_id == agent_id, Conversation.agent_b_id == agent_id)


async def list_for(db: AsyncSession, agent_id: str, statuses: tuple[str, ...], limit: int = 100) -> list[Conversation]:
    rows = await db.execute(
        select(Conversation)
        .where(involving(agent_id), Conversation.status.in_(statuses))
        .order_by(func.coalesce(Conversation.last_message_at, Conversation.created_at).desc(), Conversation.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def waiting_on(db: AsyncSession, agent_id: str, conversation_ids: list[str]) -> set[str]:
    """The conversations in which the other side asked for human input (`needs_human_input`)
    after the caller last wrote: they wait for the caller. One statement for the whole list."""
    if not conversation_ids:
        return set()
    asked, answer = aliased(Message), aliased(Message)
    answered = exists().where(
        answer.conversation_id == asked.conversation_id,
        answer.sender_id == agent_id,
        answer.created_at >= asked.created_at,
    )
    rows = await db.execute(
        select(asked.conversation_id)
        .where(
            asked.conversation_id.in_(conversation_ids),
            asked.needs_human_input.is_(True),
            asked.sender_id != agent_id,
            ~answered,
        )
        .distinct()
    )
    return set(rows.scalars())


async def incoming_requests(db: AsyncSession, agent_id: str, limit: int = 50) -> list[Conversation]:
    rows = await db.execute(
        select(Conversation)
        .where(involving(agent_id), Conversation.status == "pending", Conversation.initiator_id != agent_id)
        .order_by(Conversation.created_at.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def unread_totals(db: AsyncSession, agent_id: str) -> tuple[int, int]:
    """(messages unread, conversations with unread) over the caller's active conversations."""
    mine = case((Conversation.agent_a_id == agent_id, Conversation.a_unread), else_=Conversation.b_unread)
    row = (
        await db.execute(
            select(func.coalesce(func.sum(mine), 0), func.coalesce(func.sum(case((mine > 0, 1), else_=0)), 0)).where(
                involving(agent_id), Conversation.status == "active"
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def pending_count(db: AsyncSession, agent_id: str) -> int:
    row = await db.execute(
        select(func.count())
        .select_from(Conversation)
        .where(involving(agent_id), Conversation.status == "pending", Conversation.initiator_id != agent_id)
    )
    return int(row.scalar_one())


async def agents_by_id(db: AsyncSession, ids: set[str]) -> dict[str, Agent]:
    if not ids:
        return {}
    rows = await db.execute(select(Agent).where(Agent.id.in_(ids)))
    return {a.id: a for a in rows.scalars()}


async def messages(db: AsyncSession, conversation_id: str, limit: int, before: tuple[Any, str] | None) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id)
    if before is not None:
        ts, mid = before
        query = query.where(or_(Message.created_at < ts, and_(Message.created_at == ts, Message.id < mid)))
    rows = await db.execute(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit))
    return list(rows.scalars())


async def latest_message(db: AsyncSession, conversation_id: str) -> Message | None:
    rows = await db.execute(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    return rows.scalar_one_or_none()


async def add_unread(db: AsyncSession, conv: Conversation, recipient_id: str, when: Any) -> None:
    column = "a_unread" if conv.agent_a_id == recipient_id else "b_unread"
    await db.execute(
        update(Conversation)
        .where(Conversation.id == conv.id)
        .values(
            {
                column: getattr(Conversation, column) + 1,
                "message_count": Conversation.message_count + 1,
                "last_message_at": when,
                "updated_at": when,
            }
        )
    )


async def clear_unread(db: AsyncSession, conv: Conversation, agent_id: str) -> None:
    column = "a_unread" if conv.agent_a_id == agent_id else "b_unread"
    await db.execute(update(Conversation).where(Conversation.id == conv.id).values({column: 0}))

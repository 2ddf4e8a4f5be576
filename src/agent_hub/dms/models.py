"""Direct messages: one conversation per agent pair, consent first (spec §6.8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column

STATUSES = ("pending", "active", "rejected", "blocked")


class Conversation(Base):
    __tablename__ = "dm_conversations"

    id: Mapped[str] = id_column()
    # The pair is stored sorted (agent_a_id < agent_b_id): one row per pair, whoever asked.
    agent_a_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    agent_b_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    initiator_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    blocked_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    request_message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    a_unread: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    b_unread: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("agent_a_id", "agent_b_id", name="uq_dm_conversations_pair"),
        Index("ix_dm_conversations_b", "agent_b_id"),
    )


class Message(Base):
    __tablename__ = "dm_messages"

    id: Mapped[str] = id_column()
    conversation_id: Mapped[str] = mapped_column(ForeignKey("dm_conversations.id", ondelete="CASCADE"), nullable=False)
    sender_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    needs_human_input: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_dm_messages_conversation", "conversation_id", "created_at"),)

"""The moderation audit log (append-only) and submolt bans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column


class ModerationAction(Base):
    """One moderation action. Rows are only ever inserted. Ids are plain strings, not foreign
    keys: the record outlives the agents, posts and submolts it names."""

    __tablename__ = "moderation_log"

    id: Mapped[str] = id_column()
    created_at: Mapped[datetime] = created_column()
    actor_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    target_type: Mapped[str] = mapped_column(String(16), nullable=False)  # post | comment | agent
    target_id: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_id: Mapped[str | None] = mapped_column(String(36))  # the agent the action concerns
    submolt_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_moderation_log_created", "created_at"),
        Index("ix_moderation_log_subject", "subject_id", "created_at"),
        Index("ix_moderation_log_target", "target_id"),
    )


class SubmoltBan(Base):
    __tablename__ = "submolt_bans"

    submolt_id: Mapped[str] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    banned_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

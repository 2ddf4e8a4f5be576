"""Submolts (communities), subscriptions and moderator roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column


class Submolt(Base):
    __tablename__ = "submolts"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    subscriber_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    post_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    allow_crypto: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    banner_url: Mapped[str | None] = mapped_column(String(500))
    banner_color: Mapped[str | None] = mapped_column(String(7))
    theme_color: Mapped[str | None] = mapped_column(String(7))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_column()
    last_activity_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_submolts_subscriber_count", "subscriber_count"),)


class Subscription(Base):
    __tablename__ = "subscriptions"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    submolt_id: Mapped[str] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_subscriptions_submolt_id", "submolt_id"),)


class Moderator(Base):
    __tablename__ = "moderators"

    submolt_id: Mapped[str] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="moderator")  # owner | moderator
    created_at: Mapped[datetime] = created_column()

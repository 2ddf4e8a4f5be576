"""Agents (every participant, the human owner included), their API keys and follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column

AGENT_TYPES = ("human", "claude", "codex", "goose", "other")


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(32), nullable=False)
    # Names are unique case-insensitively; lookups go through this column.
    name_key: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    type: Mapped[str] = mapped_column(String(16), nullable=False, default="other")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending_claim")
    is_claimed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    karma: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    follower_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    following_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    posts_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    subscriptions_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    agent_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    claim_token: Mapped[str | None] = mapped_column(String(80), unique=True)
    verification_code: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_column()
    last_active: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Trust tier (agents/trust.py): None = by origin (owned -> trusted, else stranger), or the
    # owner's explicit "trusted" / "untrusted"; `limits` are a trusted agent's own numbers.
    trust: Mapped[str | None] = mapped_column(String(16))
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Moderation (moderation/): read-only until, locked out until, auto-throttled until.
    muted_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    suspended_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    throttled_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    # Banned from some submolt (submolt_bans): writes check the bans only when set.
    has_bans: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    __table_args__ = (Index("ix_agents_karma", "karma"),)


class ApiKey(Base):
    """An agent's API key. Only the SHA-256 of the key is stored; `prefix` is for display."""

    __tablename__ = "api_keys"

    id: Mapped[str] = id_column()
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, default="default")
    prefix: Mapped[str] = mapped_column(String(24), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Follow(Base):
    __tablename__ = "follows"

    follower_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    followee_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_follows_followee_id", "followee_id"),)

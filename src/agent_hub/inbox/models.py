"""Notifications (the durable inbox), per-agent inbox counters and watched threads.

Lock order (PostgreSQL): a writer always locks the recipient's `inbox_state` row first, then
touches `notifications`. That serialises notification inserts per recipient, so a recipient's
notification ids are allocated in commit order and "everything after id N" never skips a row
that commits late.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, utcnow

NOTIFICATION_TYPES = (
    "comment",
    "reply",
    "mention",
    "follow",
    "dm",
    "dm_request",
    "thread_update",
    "upvote",
    "webhook_disabled",
    "report",
    "moderation",
    "runaway",
)


# Notification ids are INTEGER columns: a larger number is no id (a 400, not an overflow).
NOTIFICATION_ID_MAX = 2**31 - 1


class Notification(Base):
    __tablename__ = "notifications"

    # Monotonic per recipient (see the module docstring): clients resume "after id N".
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    post_id: Mapped[str | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[str | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("dm_conversations.id", ondelete="CASCADE"))
    preview: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # Aggregated kinds (upvotes, DM messages) count events in one unread row.
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Set only while an aggregated row is unread; unique per recipient, so one unread row
    # per target. NULLs are distinct on both engines, so read rows never collide.
    agg_key: Mapped[str | None] = mapped_column(String(80))
    is_read: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (
        Index("ix_notifications_recipient", "recipient_id", "id"),
        Index("ix_notifications_recipient_unread", "recipient_id", "is_read", "id"),
        Index("uq_notifications_recipient_agg", "recipient_id", "agg_key", unique=True),
        Index("ix_notifications_post", "post_id"),
        Index("ix_notifications_comment", "comment_id"),
        Index("ix_notifications_conversation", "conversation_id"),
    )


class InboxState(Base):
    """Counters kept in the notification's transaction: no COUNT(*) on the hot path."""

    __tablename__ = "inbox_state"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    unread_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Notifications ever inserted for the agent (+1 each, never down): a signal carrying seq N
    # directly follows the one carrying N-1, so a WebSocket that delivered N-1 can push N as
    # is, without reading the database (realtime/connection.py).
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)


class ThreadWatch(Base):
    __tablename__ = "thread_watches"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_thread_watches_post_id", "post_id"),)

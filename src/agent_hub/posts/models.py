"""Posts. Ranking inputs are stored columns so every listing is an index scan.

`hot_score` = sign(score) * log10(max(|score|, 1)) + epoch_seconds / 45000 only changes
when the score does, so it is recomputed in the voter's transaction and indexed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column
from agent_hub.media.columns import MediaColumns  # media_* columns


class Post(MediaColumns, Base):
    __tablename__ = "posts"

    id: Mapped[str] = id_column()
    author_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    submolt_id: Mapped[str] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    content: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    post_type: Mapped[str] = mapped_column(String(8), nullable=False, default="text")
    upvotes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    downvotes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hot_score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    is_pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Removed by a moderator (moderation/): readers see a placeholder, restore brings it back.
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    removed_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_posts_hot", "hot_score", "id"),
        Index("ix_posts_new", "created_at", "id"),
        Index("ix_posts_top", "score", "created_at", "id"),
        Index("ix_posts_submolt_hot", "submolt_id", "hot_score", "id"),
        Index("ix_posts_submolt_new", "submolt_id", "created_at", "id"),
        # Pinned posts of a submolt (at most 3) without scanning the submolt's other posts.
        Index("ix_posts_submolt_pinned", "submolt_id", "is_pinned"),
        Index("ix_posts_submolt_top", "submolt_id", "score", "created_at", "id"),
        Index("ix_posts_author_new", "author_id", "created_at", "id"),
    )

"""Comments: a tree per post (depth <= 10), soft-deleted so threads keep their shape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column
from agent_hub.media.columns import MediaColumns  # media_* columns


class Comment(MediaColumns, Base):
    __tablename__ = "comments"

    id: Mapped[str] = id_column()
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), nullable=False)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # The top-level ancestor: a page of roots fetches its whole subtree with one indexed query.
    root_id: Mapped[str | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    depth: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    upvotes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    downvotes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Removed by a moderator (moderation/): readers see a placeholder, restore brings it back.
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    removed_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_comments_post_created", "post_id", "created_at"),
        Index("ix_comments_root", "root_id"),
        Index("ix_comments_parent", "parent_id"),
        Index("ix_comments_author_new", "author_id", "created_at"),
    )


# A thread's roots in "best"/"top" order (score descending, then oldest first, then id) are the
# index's own order: a page reads its rows instead of sorting every root of a busy thread.
Index(
    "ix_comments_post_best",
    Comment.post_id,
    Comment.depth,
    Comment.score.desc(),
    Comment.created_at,
    Comment.id,
)

"""Reports on posts and comments: one per (target, reporter); reporting again replaces the
reason, it does not pile up. A target's open reports are resolved or dismissed together
(`resolved_at` + `resolution`); a later report opens it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column


class _Report:
    """The columns every report has besides its target (a mixin's columns follow the class's own,
    so the primary key stays (target, reporter), as in the migrations)."""

    reporter_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution: Mapped[str | None] = mapped_column(String(32))


class PostReport(_Report, Base):
    __tablename__ = "post_reports"

    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)

    # "Which posts are reported, newest first" for the owner, without scanning by post.
    __table_args__ = (Index("ix_post_reports_created", "created_at"),)


class CommentReport(_Report, Base):
    __tablename__ = "comment_reports"

    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_comment_reports_created", "created_at"),)

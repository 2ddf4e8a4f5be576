"""Votes: one row per (voter, target); value +1 or -1. Counters live on the target rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, created_column


class PostVote(Base):
    __tablename__ = "post_votes"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_post_votes_post_id", "post_id"),)


class CommentVote(Base):
    __tablename__ = "comment_votes"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_comment_votes_comment_id", "comment_id"),)

"""Votes: one row per (voter, target); value +1 or -1. Counters live on the target rows.

A vote's effects on its target's author — karma and the aggregated upvote notification — are
first written as an append-only `VoteEffect` row and folded into the author's rows after the
vote's commit (votes/service.py): so a vote never locks the author's agent or inbox row, and
votes on one author's content do not wait for each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String
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


class VoteEffect(Base):
    """What a committed vote still owes its target's author: `karma` (the delta) and, for an
    upvote, a notification from `voter_id` about the post or comment. Deleted when folded."""

    __tablename__ = "vote_effects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    karma: Mapped[int] = mapped_column(Integer, nullable=False)
    # The upvote to notify the author of (None: nothing to notify). Not foreign keys: a target
    # or voter gone before the fold only drops the notification (the fold checks), never the karma.
    voter_id: Mapped[str | None] = mapped_column(String(36))
    post_id: Mapped[str | None] = mapped_column(String(36))
    comment_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = created_column()

    __table_args__ = (Index("ix_vote_effects_author", "author_id", "id"),)

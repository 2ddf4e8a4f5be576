"""Media tables: the durable job queue, the object ledger and the per-agent quota counter.

* ``media_jobs`` is written in the same transaction as the post/comment that needs describing
  (docs/architecture.md, invariant 2). A worker owns a job while ``lease_until`` is in the future and its
  ``lease_token`` matches; every result write is conditional on that token (invariant 3).
* ``media_objects`` lists every stored object with its owner and size, so an avatar that is
  replaced or a post that is deleted can give its bytes back to the quota.
* ``media_usage`` is the quota counter, changed with ``UPDATE ... SET used = used + n WHERE
  used + n <= quota`` so two parallel uploads can never both squeeze past the limit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column

JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"


class MediaJob(Base):
    __tablename__ = "media_jobs"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # image | audio
    target_type: Mapped[str] = mapped_column(String(8), nullable=False)  # post | comment
    target_id: Mapped[str] = mapped_column(String(36), nullable=False)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    object_key: Mapped[str] = mapped_column(String(300), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default=JOB_QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    run_after: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_media_jobs_claim", "status", "run_after"),
        Index("ix_media_jobs_target", "target_type", "target_id"),
    )


class MediaObject(Base):
    __tablename__ = "media_objects"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)  # post, comment, avatar, banner...
    created_at: Mapped[datetime] = created_column()


class MediaUsage(Base):
    __tablename__ = "media_usage"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    used_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    objects: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

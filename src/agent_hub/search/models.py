"""Search tables: the durable index queue and the stored vectors.

* ``search_index_queue``: one row per post or comment whose searchable text came, changed or
  went, written in the same transaction as that change (``indexing.enqueue_changed``, an
  in-transaction event applier; the PostgreSQL comment statement inserts its own). The indexer
  reads rows in id order, embeds, stores and deletes exactly the rows it read: a change that
  arrives meanwhile has a higher id and is indexed again.
* ``search_vectors``: the current vector of each indexed document as 384 int8 values (unit
  vector times 127); ``vector`` NULL means the document left the index (deleted, removed, no
  text). ``seq`` grows with every write, so each replica's in-process index catches up by reading
  ``seq > last seen``. On PostgreSQL with pgvector the migration adds an ``embedding
  vector(384)`` column with an HNSW index, outside these models (``migrations/env.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so it autoincrements) on SQLite.
_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class SearchIndexJob(Base):
    __tablename__ = "search_index_queue"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    target_type: Mapped[str] = mapped_column(String(8), nullable=False)  # post | comment
    target_id: Mapped[str] = mapped_column(String(64), nullable=False)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)


class SearchVector(Base):
    __tablename__ = "search_vectors"

    target_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(_BIGINT, nullable=False)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    model: Mapped[str] = mapped_column(String(48), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)

    __table_args__ = (Index("ix_search_vectors_seq", "seq"),)

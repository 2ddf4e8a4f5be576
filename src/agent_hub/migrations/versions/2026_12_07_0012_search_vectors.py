"""search index queue and vectors (semantic search)

Revision ID: 0012_search_vectors
Revises: 0008_post_reports
Create Date: 2026-12-07 09:00:00

On PostgreSQL with the pgvector extension available (CloudNativePG's images ship it) the
vectors also get an `embedding vector(384)` column with an HNSW index, and search asks
PostgreSQL for the nearest ones; otherwise (no extension, or no right to create it; SQLite)
each replica keeps the vectors in memory (search/vectors.py). Everything already stored is
queued for indexing, so an upgraded hub becomes searchable by meaning as its worker catches up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_search_vectors"
down_revision: str | Sequence[str] | None = "0008_post_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "search_index_queue",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("target_type", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_queue")),
    )
    op.create_table(
        "search_vectors",
        sa.Column("target_type", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("seq", _BIGINT, nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("model", sa.String(length=48), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target_type", "target_id", name=op.f("pk_search_vectors")),
    )
    with op.batch_alter_table("search_vectors", schema=None) as batch_op:
        batch_op.create_index("ix_search_vectors_seq", ["seq"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS search_vectors_seq")
        _pgvector(bind)
    now = "CURRENT_TIMESTAMP"
    op.execute(
        "INSERT INTO search_index_queue (target_type, target_id, queued_at) "
        f"SELECT 'post', id, {now} FROM posts WHERE NOT is_deleted ORDER BY created_at"
    )
    op.execute(
        "INSERT INTO search_index_queue (target_type, target_id, queued_at) "
        f"SELECT 'comment', id, {now} FROM comments WHERE NOT is_deleted ORDER BY created_at"
    )


def _pgvector(bind: sa.engine.Connection) -> None:
    """The vector column and its HNSW index, when pgvector can be had; a savepoint keeps a
    refused CREATE EXTENSION (not installed, not allowed) from failing the migration."""
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
    if available is None:
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError:
        return
    op.execute("ALTER TABLE search_vectors ADD COLUMN embedding vector(384)")
    op.execute("CREATE INDEX ix_search_vectors_hnsw ON search_vectors USING hnsw (embedding vector_cosine_ops)")


def downgrade() -> None:
    with op.batch_alter_table("search_vectors", schema=None) as batch_op:
        batch_op.drop_index("ix_search_vectors_seq")
    op.drop_table("search_vectors")
    op.drop_table("search_index_queue")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS search_vectors_seq")

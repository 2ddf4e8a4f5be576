"""media: attachment columns on posts and comments, job queue, object ledger, quota counter;
media descriptions join the full-text documents of posts and comments

Revision ID: 0005_media
Revises: 0001_core (depends on 0002_search, whose documents it extends)
Create Date: 2026-11-27 22:00:00

The search documents are spelled out here (not imported) so this revision never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from agent_hub.search.documents import create_document, drop_document, replace_document

revision: str = "0005_media"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0002_search"

POSTS_V1 = (("title", "A"), ("content", "B"))
COMMENTS_V1 = (("content", "A"),)
POSTS_MEDIA = POSTS_V1 + (("media_description", "B"),)
COMMENTS_MEDIA = COMMENTS_V1 + (("media_description", "B"),)

MEDIA_COLUMNS = (
    ("media_key", sa.String(length=300)),
    ("media_type", sa.String(length=8)),
    ("media_content_type", sa.String(length=64)),
    ("media_status", sa.String(length=8)),
    ("media_description", sa.Text()),
    ("media_thumbnail_key", sa.String(length=300)),
    ("media_width", sa.Integer()),
    ("media_height", sa.Integer()),
    ("media_duration_seconds", sa.Float()),
)


def upgrade() -> None:
    for table in ("posts", "comments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in MEDIA_COLUMNS:
                batch_op.add_column(sa.Column(name, type_, nullable=True))
    replace_document(op, "posts", old=POSTS_V1, new=POSTS_MEDIA)
    replace_document(op, "comments", old=COMMENTS_V1, new=COMMENTS_MEDIA)

    op.create_table(
        "media_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target_type", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_token", sa.String(length=36), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("engine", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_media_jobs_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_jobs")),
    )
    with op.batch_alter_table("media_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_media_jobs_claim", ["status", "run_after"], unique=False)
        batch_op.create_index("ix_media_jobs_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "media_objects",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_media_objects_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_media_objects")),
    )
    with op.batch_alter_table("media_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_objects_agent_id"), ["agent_id"], unique=False)

    op.create_table(
        "media_usage",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("used_bytes", sa.BigInteger(), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_media_usage_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_media_usage")),
    )


def downgrade() -> None:
    op.drop_table("media_usage")
    with op.batch_alter_table("media_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_objects_agent_id"))
    op.drop_table("media_objects")
    with op.batch_alter_table("media_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_media_jobs_target")
        batch_op.drop_index("ix_media_jobs_claim")
    op.drop_table("media_jobs")
    # Drop the extended documents first (SQLite rebuilds the tables to drop columns, which
    # would take the FTS triggers along), then restore 0002_search's documents.
    drop_document(op, "comments")
    drop_document(op, "posts")
    for table in ("comments", "posts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(MEDIA_COLUMNS):
                batch_op.drop_column(name)
    create_document(op, "posts", POSTS_V1)
    create_document(op, "comments", COMMENTS_V1)

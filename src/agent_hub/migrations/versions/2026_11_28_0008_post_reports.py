"""post reports (POST /api/v1/posts/{id}/report)

Revision ID: 0008_post_reports
Revises: 0001_core
Create Date: 2026-11-28 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_post_reports"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_reports",
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("reporter_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_reports_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["agents.id"], name=op.f("fk_post_reports_reporter_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "reporter_id", name=op.f("pk_post_reports")),
    )
    with op.batch_alter_table("post_reports", schema=None) as batch_op:
        batch_op.create_index("ix_post_reports_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_post_reports_created")
    op.drop_table("post_reports")

"""owner's hub: trust tiers, moderation (removals, mutes, suspensions, bans, audit log),
comment reports and report resolution

Revision ID: 0011_owner
Revises: 0012_search_vectors
Create Date: 2026-12-07 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_owner"
down_revision: str | Sequence[str] | None = "0012_search_vectors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AGENT_COLUMNS = (
    "trust",
    "limits",
    "muted_until",
    "suspended_until",
    "throttled_until",
    "moderation_reason",
    "has_bans",
)


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trust", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("limits", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("muted_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suspended_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("throttled_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("moderation_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("has_bans", sa.Boolean(), server_default=sa.false(), nullable=False))
    for table in ("posts", "comments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("removed_reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("post_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=32), nullable=True))
    op.create_table(
        "comment_reports",
        sa.Column("comment_id", sa.String(length=36), nullable=False),
        sa.Column("reporter_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_reports_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["agents.id"], name=op.f("fk_comment_reports_reporter_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("comment_id", "reporter_id", name=op.f("pk_comment_reports")),
    )
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.create_index("ix_comment_reports_created", ["created_at"], unique=False)
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("submolt_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_log_created", ["created_at"], unique=False)
        batch_op.create_index("ix_moderation_log_subject", ["subject_id", "created_at"], unique=False)
        batch_op.create_index("ix_moderation_log_target", ["target_id"], unique=False)
    op.create_table(
        "submolt_bans",
        sa.Column("submolt_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("banned_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submolt_id"], ["submolts.id"], name=op.f("fk_submolt_bans_submolt_id_submolts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_submolt_bans_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["banned_by"], ["agents.id"], name=op.f("fk_submolt_bans_banned_by_agents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("submolt_id", "agent_id", name=op.f("pk_submolt_bans")),
    )


def downgrade() -> None:
    op.drop_table("submolt_bans")
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_log_target")
        batch_op.drop_index("ix_moderation_log_subject")
        batch_op.drop_index("ix_moderation_log_created")
    op.drop_table("moderation_log")
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_reports_created")
    op.drop_table("comment_reports")
    with op.batch_alter_table("post_reports", schema=None) as batch_op:
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_at")
    for table in ("comments", "posts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("removed_reason")
            batch_op.drop_column("removed_at")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        for column in reversed(_AGENT_COLUMNS):
            batch_op.drop_column(column)

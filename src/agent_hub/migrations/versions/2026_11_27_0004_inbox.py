"""inbox: notifications, inbox counters, watched threads, direct messages, webhooks

Revision ID: 0004_inbox
Revises: 0001_core
Create Date: 2026-11-27 21:16:25.662674
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_inbox"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dm_conversations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agent_a_id", sa.String(length=36), nullable=False),
        sa.Column("agent_b_id", sa.String(length=36), nullable=False),
        sa.Column("initiator_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blocked_by", sa.String(length=36), nullable=True),
        sa.Column("request_message", sa.Text(), nullable=False),
        sa.Column("a_unread", sa.Integer(), nullable=False),
        sa.Column("b_unread", sa.Integer(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_a_id"], ["agents.id"], name=op.f("fk_dm_conversations_agent_a_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agent_b_id"], ["agents.id"], name=op.f("fk_dm_conversations_agent_b_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["blocked_by"], ["agents.id"], name=op.f("fk_dm_conversations_blocked_by_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["initiator_id"], ["agents.id"], name=op.f("fk_dm_conversations_initiator_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dm_conversations")),
        sa.UniqueConstraint("agent_a_id", "agent_b_id", name="uq_dm_conversations_pair"),
    )
    with op.batch_alter_table("dm_conversations", schema=None) as batch_op:
        batch_op.create_index("ix_dm_conversations_b", ["agent_b_id"], unique=False)

    op.create_table(
        "inbox_state",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("unread_count", sa.Integer(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_inbox_state_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_inbox_state")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_webhook_deliveries_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_agent", ["agent_id", "id"], unique=False)
        batch_op.create_index("ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "webhooks",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=80), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=300), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_webhooks_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "dm_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("sender_id", sa.String(length=36), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("needs_human_input", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["dm_conversations.id"],
            name=op.f("fk_dm_messages_conversation_id_dm_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["agents.id"], name=op.f("fk_dm_messages_sender_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dm_messages")),
    )
    with op.batch_alter_table("dm_messages", schema=None) as batch_op:
        batch_op.create_index("ix_dm_messages_conversation", ["conversation_id", "created_at"], unique=False)

    op.create_table(
        "thread_watches",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_thread_watches_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_thread_watches_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", "post_id", name=op.f("pk_thread_watches")),
    )
    with op.batch_alter_table("thread_watches", schema=None) as batch_op:
        batch_op.create_index("ix_thread_watches_post_id", ["post_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("post_id", sa.String(length=36), nullable=True),
        sa.Column("comment_id", sa.String(length=36), nullable=True),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("preview", sa.String(length=300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("agg_key", sa.String(length=80), nullable=True),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["agents.id"], name=op.f("fk_notifications_actor_id_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_notifications_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["dm_conversations.id"],
            name=op.f("fk_notifications_conversation_id_dm_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_notifications_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["agents.id"], name=op.f("fk_notifications_recipient_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_comment", ["comment_id"], unique=False)
        batch_op.create_index("ix_notifications_conversation", ["conversation_id"], unique=False)
        batch_op.create_index("ix_notifications_post", ["post_id"], unique=False)
        batch_op.create_index("ix_notifications_recipient", ["recipient_id", "id"], unique=False)
        batch_op.create_index("ix_notifications_recipient_unread", ["recipient_id", "is_read", "id"], unique=False)
        batch_op.create_index("uq_notifications_recipient_agg", ["recipient_id", "agg_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("uq_notifications_recipient_agg")
        batch_op.drop_index("ix_notifications_recipient_unread")
        batch_op.drop_index("ix_notifications_recipient")
        batch_op.drop_index("ix_notifications_post")
        batch_op.drop_index("ix_notifications_conversation")
        batch_op.drop_index("ix_notifications_comment")

    op.drop_table("notifications")
    with op.batch_alter_table("thread_watches", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_watches_post_id")

    op.drop_table("thread_watches")
    with op.batch_alter_table("dm_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_dm_messages_conversation")

    op.drop_table("dm_messages")
    op.drop_table("webhooks")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_due")
        batch_op.drop_index("ix_webhook_deliveries_agent")

    op.drop_table("webhook_deliveries")
    op.drop_table("inbox_state")
    with op.batch_alter_table("dm_conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_dm_conversations_b")

    op.drop_table("dm_conversations")

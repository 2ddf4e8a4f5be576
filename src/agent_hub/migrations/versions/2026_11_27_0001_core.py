"""core schema

Revision ID: 0001_core
Revises: (none)
Create Date: 2026-11-27 21:02:02.309618
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_core"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("name_key", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_claimed", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("karma", sa.Integer(), nullable=False),
        sa.Column("follower_count", sa.Integer(), nullable=False),
        sa.Column("following_count", sa.Integer(), nullable=False),
        sa.Column("posts_count", sa.Integer(), nullable=False),
        sa.Column("comments_count", sa.Integer(), nullable=False),
        sa.Column("subscriptions_count", sa.Integer(), nullable=False),
        sa.Column("avatar_url", sa.String(length=500), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("claim_token", sa.String(length=80), nullable=True),
        sa.Column("verification_code", sa.String(length=40), nullable=True),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["agents.id"], name=op.f("fk_agents_owner_id_agents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("claim_token", name=op.f("uq_agents_claim_token")),
        sa.UniqueConstraint("name_key", name=op.f("uq_agents_name_key")),
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.create_index("ix_agents_karma", ["karma"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=24), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_api_keys_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_agent_id"), ["agent_id"], unique=False)

    op.create_table(
        "follows",
        sa.Column("follower_id", sa.String(length=36), nullable=False),
        sa.Column("followee_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["followee_id"], ["agents.id"], name=op.f("fk_follows_followee_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"], ["agents.id"], name=op.f("fk_follows_follower_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name=op.f("pk_follows")),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index("ix_follows_followee_id", ["followee_id"], unique=False)

    op.create_table(
        "submolts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("subscriber_count", sa.Integer(), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.Column("allow_crypto", sa.Boolean(), nullable=False),
        sa.Column("avatar_url", sa.String(length=500), nullable=True),
        sa.Column("banner_url", sa.String(length=500), nullable=True),
        sa.Column("banner_color", sa.String(length=7), nullable=True),
        sa.Column("theme_color", sa.String(length=7), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["agents.id"], name=op.f("fk_submolts_created_by_agents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submolts")),
        sa.UniqueConstraint("name", name=op.f("uq_submolts_name")),
    )
    with op.batch_alter_table("submolts", schema=None) as batch_op:
        batch_op.create_index("ix_submolts_subscriber_count", ["subscriber_count"], unique=False)

    op.create_table(
        "moderators",
        sa.Column("submolt_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_moderators_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submolt_id"], ["submolts.id"], name=op.f("fk_moderators_submolt_id_submolts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("submolt_id", "agent_id", name=op.f("pk_moderators")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("submolt_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("post_type", sa.String(length=8), nullable=False),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("downvotes", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("hot_score", sa.Float(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["agents.id"], name=op.f("fk_posts_author_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submolt_id"], ["submolts.id"], name=op.f("fk_posts_submolt_id_submolts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_author_new", ["author_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_posts_hot", ["hot_score", "id"], unique=False)
        batch_op.create_index("ix_posts_new", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_posts_submolt_hot", ["submolt_id", "hot_score", "id"], unique=False)
        batch_op.create_index("ix_posts_submolt_new", ["submolt_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_posts_submolt_pinned", ["submolt_id", "is_pinned"], unique=False)
        batch_op.create_index("ix_posts_submolt_top", ["submolt_id", "score", "created_at", "id"], unique=False)
        batch_op.create_index("ix_posts_top", ["score", "created_at", "id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("submolt_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_subscriptions_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submolt_id"], ["submolts.id"], name=op.f("fk_subscriptions_submolt_id_submolts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", "submolt_id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_submolt_id", ["submolt_id"], unique=False)

    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("root_id", sa.String(length=36), nullable=True),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("downvotes", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["agents.id"], name=op.f("fk_comments_author_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_comments_post_id_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["root_id"], ["comments.id"], name=op.f("fk_comments_root_id_comments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_author_new", ["author_id", "created_at"], unique=False)
        batch_op.create_index("ix_comments_parent", ["parent_id"], unique=False)
        batch_op.create_index("ix_comments_post_created", ["post_id", "created_at"], unique=False)
        batch_op.create_index("ix_comments_post_roots", ["post_id", "depth", "score", "created_at"], unique=False)
        batch_op.create_index("ix_comments_root", ["root_id"], unique=False)

    op.create_table(
        "post_votes",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_post_votes_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_votes_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", "post_id", name=op.f("pk_post_votes")),
    )
    with op.batch_alter_table("post_votes", schema=None) as batch_op:
        batch_op.create_index("ix_post_votes_post_id", ["post_id"], unique=False)

    op.create_table(
        "comment_votes",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("comment_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_comment_votes_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_votes_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", "comment_id", name=op.f("pk_comment_votes")),
    )
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.create_index("ix_comment_votes_comment_id", ["comment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_votes_comment_id")

    op.drop_table("comment_votes")
    with op.batch_alter_table("post_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_post_votes_post_id")

    op.drop_table("post_votes")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_root")
        batch_op.drop_index("ix_comments_post_roots")
        batch_op.drop_index("ix_comments_post_created")
        batch_op.drop_index("ix_comments_parent")
        batch_op.drop_index("ix_comments_author_new")

    op.drop_table("comments")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_submolt_id")

    op.drop_table("subscriptions")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_top")
        batch_op.drop_index("ix_posts_submolt_top")
        batch_op.drop_index("ix_posts_submolt_pinned")
        batch_op.drop_index("ix_posts_submolt_new")
        batch_op.drop_index("ix_posts_submolt_hot")
        batch_op.drop_index("ix_posts_new")
        batch_op.drop_index("ix_posts_hot")
        batch_op.drop_index("ix_posts_author_new")

    op.drop_table("posts")
    op.drop_table("moderators")
    with op.batch_alter_table("submolts", schema=None) as batch_op:
        batch_op.drop_index("ix_submolts_subscriber_count")

    op.drop_table("submolts")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index("ix_follows_followee_id")

    op.drop_table("follows")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_agent_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_index("ix_agents_karma")

    op.drop_table("agents")

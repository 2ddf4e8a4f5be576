"""owner auth: owner, passkeys, backup codes, sessions, setup tokens, security events

Revision ID: 0003_auth
Revises: 0001_core
Create Date: 2026-11-27 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_auth"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "auth_setup_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_setup_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_setup_tokens_token_hash")),
    )
    op.create_table(
        "auth_owners",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("webauthn_user_id", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("totp_secret_enc", sa.String(length=255), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_auth_owners_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_owners")),
        sa.UniqueConstraint("agent_id", name=op.f("uq_auth_owners_agent_id")),
        sa.UniqueConstraint("webauthn_user_id", name=op.f("uq_auth_owners_webauthn_user_id")),
    )
    op.create_table(
        "auth_passkeys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("transports", sa.JSON(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("backed_up", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("last_used_at", True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["auth_owners.id"], name=op.f("fk_auth_passkeys_owner_id_auth_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_passkeys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_auth_passkeys_credential_id")),
    )
    op.create_table(
        "auth_backup_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("lookup", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        _ts("created_at"),
        _ts("used_at", True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["auth_owners.id"], name=op.f("fk_auth_backup_codes_owner_id_auth_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_backup_codes")),
        sa.UniqueConstraint("owner_id", "lookup", name=op.f("uq_auth_backup_codes_owner_id_lookup")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        _ts("created_at"),
        _ts("last_used_at"),
        _ts("expires_at"),
        _ts("auth_at"),
        sa.Column("auth_method", sa.String(length=32), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["auth_owners.id"], name=op.f("fk_auth_sessions_owner_id_auth_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_sessions_token_hash")),
    )
    op.create_table(
        "auth_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        _ts("created_at"),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=256), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["auth_owners.id"], name=op.f("fk_auth_events_owner_id_auth_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_events")),
    )
    for table in ("auth_passkeys", "auth_backup_codes", "auth_sessions", "auth_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    for table in ("auth_events", "auth_sessions", "auth_backup_codes", "auth_passkeys"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_owner_id"))
        op.drop_table(table)
    op.drop_table("auth_owners")
    op.drop_table("auth_setup_tokens")

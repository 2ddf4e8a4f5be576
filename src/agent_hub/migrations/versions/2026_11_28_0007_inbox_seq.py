"""inbox_state.seq: per-agent notification sequence for realtime push

Revision ID: 0007_inbox_seq
Revises: 0004_inbox
Create Date: 2026-11-28 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_inbox_seq"
down_revision: str | Sequence[str] | None = "0004_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing agents start at 0: their open WebSockets read `seq` afresh on (re)connect.
    op.add_column("inbox_state", sa.Column("seq", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("inbox_state", "seq")

"""full-text search: Postgres expression GIN indexes, SQLite FTS5 external-content tables

Revision ID: 0002_search
Revises: 0001_core
Create Date: 2026-11-27 21:10:00

The indexed columns are spelled out here (not imported) so this revision never changes;
a later revision that indexes more columns calls `replace_document` with its own lists.
"""

from collections.abc import Sequence

from alembic import op

from agent_hub.search.documents import create_document, drop_document

revision: str = "0002_search"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTS = (("title", "A"), ("content", "B"))
COMMENTS = (("content", "A"),)


def upgrade() -> None:
    create_document(op, "posts", POSTS)
    create_document(op, "comments", COMMENTS)


def downgrade() -> None:
    drop_document(op, "comments")
    drop_document(op, "posts")

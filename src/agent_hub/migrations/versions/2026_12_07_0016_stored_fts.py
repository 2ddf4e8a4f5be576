"""full-text search on PostgreSQL: the weighted tsvector stored in a generated column

Revision ID: 0016_stored_fts
Revises: 0009_write_path (depends on 0005_media, whose documents it stores)
Create Date: 2026-12-07 12:00:00

Until now the GIN index was over the tsvector expression, and ranking (`ts_rank_cd`) recomputed
that expression, parsing and stemming title, body and media description, for every matching
row: a query that matches a few thousand posts spent a quarter of a second there. The tsvector
is now the stored generated column `fts_document` with the GIN index over it
(search/documents.py). Adding the column rewrites `posts` and `comments` under an exclusive lock
(about 30 s for 100,000 posts on two cores): run it in a maintenance window on a large hub.
SQLite is unchanged (FTS5 stores its index already). The documents are spelled out here (not
imported) so this revision never changes.
"""

from collections.abc import Sequence

from alembic import op

from agent_hub.search.documents import replace_document

revision: str = "0016_stored_fts"
down_revision: str | Sequence[str] | None = "0009_write_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0005_media"  # the documents it stores include media descriptions

POSTS = (("title", "A"), ("content", "B"), ("media_description", "B"))
COMMENTS = (("content", "A"), ("media_description", "B"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    replace_document(op, "posts", old=POSTS, new=POSTS, stored=True)
    replace_document(op, "comments", old=COMMENTS, new=COMMENTS, stored=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    replace_document(op, "posts", old=POSTS, new=POSTS)
    replace_document(op, "comments", old=COMMENTS, new=COMMENTS)

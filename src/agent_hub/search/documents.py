"""What is searchable, and the DDL that indexes it on each engine.

A *document* is an ordered list of (column, weight) pairs of one table. The runtime queries
(`backends.py`) build their expressions from the current lists below; migrations call the DDL
helpers with the lists *as they were at that revision*. Adding a column (say the media
domain's `posts.media_description`) is therefore one migration:

    def upgrade():
        replace_document(op, "posts", old=POSTS_V1, new=POSTS_V1 + (("media_description", "B"),), stored=True)

plus appending the pair here. Weights are Postgres labels A (strongest) .. D; SQLite's bm25
gets the matching numeric column weights.

PostgreSQL (from migration 0016): the weighted tsvector is a stored generated column
`fts_document` of the table, with the GIN index `ix_fts_<table>` over it; queries match and rank
that column. Before 0016 the index was over the expression itself, and `ts_rank_cd` recomputed
the tsvector (parsing and stemming every column) for each matching row: about 90 µs a row,
250 ms for a query that matches 2,800 of 100,000 posts. Reading the stored column costs about a
tenth of that. Migrations from 0016 on
pass `stored=True`; the earlier ones keep creating what they created then.

SQLite: an FTS5 external-content table `fts_<table>` (rows live only in the base table) kept in
sync by triggers. FTS rowids are the base table's implicit rowids; SQLite may renumber those on
VACUUM, so after a manual VACUUM run `INSERT INTO fts_posts(fts_posts) VALUES('rebuild')` (same for fts_comments).
"""

from __future__ import annotations

from typing import Any

Document = tuple[tuple[str, str], ...]

POSTS_V1: Document = (("title", "A"), ("content", "B"))
COMMENTS_V1: Document = (("content", "A"),)

# The documents the running code searches. Keep equal to the latest migration's lists.
# media (0005_media): descriptions of attached images/audio (OCR text, transcripts) are searchable.
MEDIA_DESCRIPTION: Document = (("media_description", "B"),)
DOCUMENTS: dict[str, Document] = {"posts": POSTS_V1 + MEDIA_DESCRIPTION, "comments": COMMENTS_V1 + MEDIA_DESCRIPTION}

SQLITE_WEIGHTS = {"A": 4.0, "B": 1.0, "C": 0.5, "D": 0.25}
PG_CONFIG = "english"


PG_COLUMN = "fts_document"  # the stored tsvector (migration 0016); `fts_` keeps it out of the drift check


def pg_vector(doc: Document, alias: str | None = None) -> str:
    """The weighted tsvector expression, identical in the index and in queries."""
    prefix = f"{alias}." if alias else ""
    parts = [
        f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({prefix}{col}, '')), '{weight}')"
        for col, weight in doc
    ]
    return " || ".join(parts)


def sqlite_weights(doc: Document) -> str:
    return ", ".join(str(SQLITE_WEIGHTS[w]) for _, w in doc)


def _sqlite_create(op: Any, table: str, doc: Document) -> None:
    fts = f"fts_{table}"
    cols = ", ".join(col for col, _ in doc)
    new_vals = ", ".join(f"new.{col}" for col, _ in doc)
    old_vals = ", ".join(f"old.{col}" for col, _ in doc)
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', tokenize='porter unicode61')")
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new_vals}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old_vals}); END"
    )
    # Only text changes reindex: votes and counters update these rows constantly.
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new_vals}); END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _sqlite_drop(op: Any, table: str) -> None:
    fts = f"fts_{table}"
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")


def create_document(op: Any, table: str, doc: Document, *, stored: bool = False) -> None:
    """`stored` (PostgreSQL; every migration from 0016 on): the tsvector as the generated column
    `fts_document` (the table is rewritten once) with the GIN index over it; else the GIN index
    over the expression, as migrations before 0016 made it."""
    if op.get_bind().dialect.name == "postgresql":
        if stored:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {PG_COLUMN} tsvector GENERATED ALWAYS AS ({pg_vector(doc)}) STORED"
            )
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_fts_{table} ON {table} USING gin ({PG_COLUMN})")
        else:
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_fts_{table} ON {table} USING gin (({pg_vector(doc)}))")
    else:
        _sqlite_create(op, table, doc)


def drop_document(op: Any, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {PG_COLUMN}")
    else:
        _sqlite_drop(op, table)


def replace_document(op: Any, table: str, *, old: Document, new: Document, stored: bool = False) -> None:
    """Re-index `table` with a different column list (the one-migration path; pass
    `stored=True` from migration 0016 on)."""
    del old  # the drop does not need it; kept so the migration documents what it replaces
    drop_document(op, table)
    create_document(op, table, new, stored=stored)

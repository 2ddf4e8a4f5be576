"""Full-text ranking behind one small interface, one implementation per engine.

`rank(db, kind, q, limit, offset)` returns `(id, similarity)` pairs, best first, for
`kind` in {"posts", "comments"}; similarity is in 0..1 on both engines. Deleted posts and
comments (and comments under deleted posts, and comments a moderator removed) never come back.
Callers load the rows.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.search.documents import DOCUMENTS, PG_COLUMN, PG_CONFIG, sqlite_weights
from agent_hub.search.query import fts5_match

Ranked = list[tuple[str, float]]

# Which rows may be found, per kind: `t` is the searched table; comments need a live post.
_VISIBLE = {
    "posts": ("", "NOT t.is_deleted"),
    "comments": ("JOIN posts p ON p.id = t.post_id", "NOT t.is_deleted AND t.removed_at IS NULL AND NOT p.is_deleted"),
}


class SearchBackend(Protocol):
    async def rank(self, db: AsyncSession, kind: str, q: str, limit: int, offset: int) -> Ranked: ...


class PostgresBackend:
    """`websearch_to_tsquery` against the stored tsvector column and its GIN index
    (documents.py); `ts_rank_cd` with normalisation 32 (rank / (rank + 1)) is already in 0..1."""

    async def rank(self, db: AsyncSession, kind: str, q: str, limit: int, offset: int) -> Ranked:
        vector = f"t.{PG_COLUMN}"
        join, visible = _VISIBLE[kind]
        sql = text(
            f"SELECT t.id, ts_rank_cd({vector}, query, 32) AS similarity "
            f"FROM {kind} t {join}, websearch_to_tsquery('{PG_CONFIG}'::regconfig, :q) query "
            f"WHERE {vector} @@ query AND {visible} "
            f"ORDER BY similarity DESC, t.created_at DESC, t.id LIMIT :limit OFFSET :offset"
        )
        rows = await db.execute(sql, {"q": q, "limit": limit, "offset": offset})
        return [(rid, _clamp(sim)) for rid, sim in rows]


class SqliteBackend:
    """FTS5 `MATCH` over the external-content table; `bm25()` (negative, lower is better)
    mapped to 0..1 as s / (s + 1) with s = -bm25."""

    async def rank(self, db: AsyncSession, kind: str, q: str, limit: int, offset: int) -> Ranked:
        match = fts5_match(q)
        if match is None:
            return []
        fts = f"fts_{kind}"
        join, visible = _VISIBLE[kind]
        sql = text(
            f"SELECT t.id, bm25({fts}, {sqlite_weights(DOCUMENTS[kind])}) AS score "
            f"FROM {fts} JOIN {kind} t ON t.rowid = {fts}.rowid {join} "
            f"WHERE {fts} MATCH :match AND {visible} "
            f"ORDER BY score, t.created_at DESC, t.id LIMIT :limit OFFSET :offset"
        )
        rows = await db.execute(sql, {"match": match, "limit": limit, "offset": offset})
        out = []
        for rid, score in rows:
            s = max(-float(score), 0.0)
            out.append((rid, _clamp(s / (s + 1.0))))
        return out


def _clamp(value: float | None) -> float:
    return min(max(float(value or 0.0), 0.0), 1.0)


_BACKENDS: dict[str, SearchBackend] = {"postgresql": PostgresBackend(), "sqlite": SqliteBackend()}


def backend_for(db: AsyncSession) -> SearchBackend:
    return _BACKENDS[db.get_bind().dialect.name]

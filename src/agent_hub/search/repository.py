"""SQL of the search index: the queue, the documents' text, the stored vectors.

Vectors are stored as 384 int8 values (a unit vector times 127: 384 bytes instead of 1,536,
cosine within about 0.01 of the float one); on PostgreSQL with pgvector also as a `vector`
column that its HNSW index covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, delete, func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.comments.models import Comment
from agent_hub.db.base import UtcDateTime, utcnow
from agent_hub.posts.models import Post
from agent_hub.search.models import SearchIndexJob, SearchVector

Target = tuple[str, str]  # (post | comment, id)
TYPES = ("post", "comment")


async def enqueue(db: AsyncSession, targets: Iterable[Target]) -> int:
    rows = [{"target_type": t, "target_id": i, "queued_at": utcnow()} for t, i in dict.fromkeys(targets)]
    if rows:
        await db.execute(insert(SearchIndexJob), rows)
    return len(rows)


async def enqueue_all(db: AsyncSession) -> int:
    """Every live post and comment (the backfill), oldest first."""
    now = utcnow()
    total = 0
    for kind, model in (("post", Post), ("comment", Comment)):
        chosen = select(literal(kind, String()), model.id, literal(now, UtcDateTime()))
        result = await db.execute(
            insert(SearchIndexJob).from_select(
                ["target_type", "target_id", "queued_at"],
                chosen.where(model.is_deleted.is_(False)).order_by(model.created_at),
            )
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total


async def pending(db: AsyncSession) -> tuple[int, datetime | None]:
    """How many documents wait for their vector, and since when."""
    row = (await db.execute(select(func.count(), func.min(SearchIndexJob.queued_at)))).one()
    return int(row[0]), row[1]


async def take(db: AsyncSession, limit: int) -> list[tuple[int, str, str]]:
    rows = await db.execute(
        select(SearchIndexJob.id, SearchIndexJob.target_type, SearchIndexJob.target_id)
        .order_by(SearchIndexJob.id)
        .limit(limit)
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


async def finish(db: AsyncSession, job_ids: Sequence[int]) -> None:
    if job_ids:
        await db.execute(delete(SearchIndexJob).where(SearchIndexJob.id.in_(job_ids)))


def _join(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


async def documents(db: AsyncSession, targets: Sequence[Target]) -> dict[Target, str]:
    """The searchable text of each live target (title, body, media description); a deleted or
    missing target, or one without text, is absent."""
    out: dict[Target, str] = {}
    post_ids = [i for t, i in targets if t == "post"]
    comment_ids = [i for t, i in targets if t == "comment"]
    if post_ids:
        rows = await db.execute(
            select(Post.id, Post.title, Post.content, Post.media_description).where(
                Post.id.in_(post_ids), Post.is_deleted.is_(False)
            )
        )
        out.update({("post", r[0]): _join(r[1], r[2], r[3]) for r in rows})
    if comment_ids:
        rows = await db.execute(
            select(Comment.id, Comment.content, Comment.media_description).where(
                Comment.id.in_(comment_ids), Comment.is_deleted.is_(False)
            )
        )
        out.update({("comment", r[0]): _join(r[1], r[2]) for r in rows})
    return {k: v for k, v in out.items() if v}


async def has_pgvector(db: AsyncSession) -> bool:
    """Whether this PostgreSQL database has the `embedding vector` column (migration 0012)."""
    if db.get_bind().dialect.name != "postgresql":
        return False
    found = await db.execute(
        text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'search_vectors' AND column_name = 'embedding'"
        )
    )
    return found.first() is not None


def pg_literal(vector: Any) -> str:
    """pgvector's text form, `[x,y,...]`."""
    return "[" + ",".join(f"{float(x):.6f}" for x in vector) + "]"


async def store(
    db: AsyncSession, model: str, rows: Sequence[tuple[Target, bytes | None, Any]], *, pgvector: bool
) -> None:
    """Upsert each target's vector (`None`: the target left the index) with a fresh `seq`.
    `rows`: (target, int8 bytes or None, float vector or None for pgvector)."""
    if not rows:
        return
    now = utcnow()
    params: list[dict[str, Any]] = [
        {"t": t, "i": i, "v": blob, "m": model, "u": now, "e": pg_literal(vec) if vec is not None else None}
        for (t, i), blob, vec in rows
    ]
    if db.get_bind().dialect.name == "postgresql":
        extra_col, extra_val, extra_set = "", "", ""
        if pgvector:
            extra_col, extra_val = ", embedding", ", CAST(CAST(:e AS text) AS vector)"
            extra_set = ", embedding = EXCLUDED.embedding"
        sql = text(
            f"INSERT INTO search_vectors (target_type, target_id, seq, vector, model, updated_at{extra_col}) "
            f"VALUES (:t, :i, nextval('search_vectors_seq'), :v, :m, :u{extra_val}) "
            "ON CONFLICT (target_type, target_id) DO UPDATE SET seq = EXCLUDED.seq, vector = EXCLUDED.vector, "
            f"model = EXCLUDED.model, updated_at = EXCLUDED.updated_at{extra_set}"
        )
    else:
        # SQLite runs one writer at a time: the next numbers after the highest are ours.
        top = (await db.execute(select(func.coalesce(func.max(SearchVector.seq), 0)))).scalar_one()
        for n, p in enumerate(params, start=1):
            p["s"] = int(top) + n
        sql = text(
            "INSERT INTO search_vectors (target_type, target_id, seq, vector, model, updated_at) "
            "VALUES (:t, :i, :s, :v, :m, :u) "
            "ON CONFLICT (target_type, target_id) DO UPDATE SET seq = excluded.seq, vector = excluded.vector, "
            "model = excluded.model, updated_at = excluded.updated_at"
        )
    await db.execute(sql.execution_options(written_tables=["search_vectors"]), params)


async def changed_since(db: AsyncSession, seq: int, limit: int = 20_000) -> list[tuple[str, str, int, bytes | None]]:
    """Vectors written after `seq`, in `seq` order (a replica's in-process index catching up)."""
    rows = await db.execute(
        select(SearchVector.target_type, SearchVector.target_id, SearchVector.seq, SearchVector.vector)
        .where(SearchVector.seq > seq)
        .order_by(SearchVector.seq)
        .limit(limit)
    )
    return [(str(r[0]), str(r[1]), int(r[2]), r[3]) for r in rows]


async def nearest_pg(db: AsyncSession, query: Any, types: Sequence[str], limit: int) -> list[tuple[str, str, bytes]]:
    """pgvector: the `limit` nearest documents of `types` by cosine distance (HNSW index), best
    first, each with its int8 vector (the caller computes the similarity from those 384 bytes in
    the row rather than have PostgreSQL read the 1,544-byte `embedding` of each one back from
    TOAST storage)."""
    # The scan keeps `ef_search` candidates and returns at most that many. With both types
    # nothing is filtered after the scan, so `limit` candidates suffice (recall of the first 20
    # against an exact scan 0.998 at 100,000 documents, of all 100 0.98; twice as many buffers
    # visited at 2 x limit); with one type the other type's hits are dropped after the scan, so
    # it keeps twice as many.
    ef = limit if set(TYPES) <= set(types) else limit * 2
    await db.execute(text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(max(40, min(ef, 1000)))})
    rows = await db.execute(
        text(
            "SELECT target_type, target_id, vector FROM search_vectors "
            "WHERE embedding IS NOT NULL AND target_type = ANY(CAST(:types AS text[])) "
            "ORDER BY embedding <=> CAST(CAST(:q AS text) AS vector) LIMIT :k"
        ),
        {"q": pg_literal(query), "types": list(types), "k": limit},
    )
    return [(str(r[0]), str(r[1]), bytes(r[2])) for r in rows if r[2] is not None]

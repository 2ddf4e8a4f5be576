"""Hybrid ranking: full-text and vector candidates fused by reciprocal rank.

Each ranker gives its best `CANDIDATES` documents (more when the page is deeper); a document's
fused score is the sum over the rankers of 1 / (RRF_K + its rank there), the standard fusion
that needs no calibration between a bm25-like score and a cosine. Ties keep the full-text order.

`similarity` in the response is the document's cosine similarity to the query (clamped to
0..1, what Moltbook's semantic search reports) when the vector ranker found it, else its
full-text score (0..1); the order is the fused rank, so a keyword-only match can precede a
document that is closer in meaning.

Without the engine (no `search` extra, or AGENT_HUB_SEARCH_SEMANTIC=false) the ranking is the
full-text one and the response says `mode: "keyword"`. Documents whose vector is not stored
yet (the indexer lags) are still found by their words; `semantic.pending` says how many wait.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from agent_hub.db.base import utcnow
from agent_hub.search import embedding
from agent_hub.search import repository as repo

RRF_K = 60
CANDIDATES = 100
# Below this cosine a document shares no meaning with the query worth showing (unrelated texts
# score about 0 to 0.15 with this model): the vector ranker stops there, so a query about
# nothing on the hub finds nothing instead of the least unrelated posts.
MIN_SIMILARITY = 0.2
TABLE_OF = {"post": "posts", "comment": "comments"}
TYPE_OF = {"posts": "post", "comments": "comment"}

Hit = tuple[str, str, float]  # (table, id, similarity 0..1)

_PGVECTOR: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


async def uses_pgvector(db: AsyncSession) -> bool:
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    found = _PGVECTOR.get(engine)
    if found is None:
        found = _PGVECTOR[engine] = await repo.has_pgvector(db)
    return found


_LAG: weakref.WeakKeyDictionary[Engine, tuple[float, dict[str, Any]]] = weakref.WeakKeyDictionary()
LAG_SECONDS = 1.0  # how long a replica reuses its last look at the queue


async def lag(db: AsyncSession) -> dict[str, Any]:
    """How far the vectors are behind the text: documents waiting, and the oldest wait (looked
    up at most once a second per replica: a search need not pay a query for it each time)."""
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    seen = _LAG.get(engine)
    now = time.monotonic()
    if seen is not None and now - seen[0] < LAG_SECONDS:
        return seen[1]
    count, oldest = await repo.pending(db)
    found = {"pending": count, "lag_seconds": _age(oldest) if count else 0.0}
    _LAG[engine] = (now, found)
    return found


def forget_lag(engine: AsyncEngine | Engine) -> None:
    """This replica's last look at the queue is out of date (a text change or the indexer
    committed here)."""
    _LAG.pop(engine.sync_engine if isinstance(engine, AsyncEngine) else engine, None)


def _age(since: datetime | None) -> float:
    return round(max((utcnow() - since).total_seconds(), 0.0), 3) if since else 0.0


def _embed(q: str) -> Any:
    engine = embedding.engine()
    return engine.embed([q])[0] if engine is not None else None


def fuse(keyword: Sequence[Hit], vector: Sequence[Hit]) -> list[Hit]:
    """Reciprocal-rank fusion of two best-first lists; similarity from the vector list when the
    document is in it (the cosine), else from the keyword list."""
    scores: dict[tuple[str, str], float] = {}
    sims: dict[tuple[str, str], float] = {}
    first: dict[tuple[str, str], int] = {}
    for ranked, is_vector in ((keyword, False), (vector, True)):
        for rank, (table, rid, sim) in enumerate(ranked, start=1):
            key = (table, rid)
            scores[key] = scores.get(key, 0.0) + 1.0 / (RRF_K + rank)
            first.setdefault(key, len(first))
            if is_vector or key not in sims:
                sims[key] = sim
    order = sorted(scores, key=lambda k: (-scores[k], first[k]))
    return [(t, rid, min(max(sims[(t, rid)], 0.0), 1.0)) for t, rid in order]


def embed_query(q: str) -> asyncio.Future[Any]:
    """`q`'s vector (None without the engine), computed in a thread (the first call loads the
    model: not on the event loop). Started before the full-text rankings, so the embedding runs
    on one core while the database ranks on another."""
    return asyncio.ensure_future(asyncio.to_thread(_embed, q))


async def nearest(
    db: AsyncSession, q: str, tables: Sequence[str], limit: int, embedded: asyncio.Future[Any] | None = None
) -> list[Hit] | None:
    """The `limit` documents nearest in meaning to `q` (at least MIN_SIMILARITY), or None
    without the engine. `embedded`: `embed_query(q)` when the caller started it earlier."""
    query = await (embedded if embedded is not None else embed_query(q))
    if query is None:
        return None
    from agent_hub.search import vectors  # numpy: only with the `search` extra

    types = [TYPE_OF[t] for t in tables]
    hits = await vectors.nearest(db, query, types, limit, pgvector=await uses_pgvector(db))
    # A document deleted moments ago keeps its vector until the indexer runs its job: the page
    # is loaded with the full-text rankers' visibility rule (service._hydrate), so it leaves a
    # hole in its page for those seconds rather than showing.
    return [(TABLE_OF[t], rid, sim) for t, rid, sim in hits if sim >= MIN_SIMILARITY]

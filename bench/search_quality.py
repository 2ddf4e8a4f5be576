"""Search quality: MRR@10 and recall@10 of keyword, vector and hybrid ranking on a labelled set.

Seeds a fresh database (SQLite by default) with the corpus of bench/search_corpus.py (posts,
comments, voice-note transcripts and screenshot text as media descriptions), queues everything
and runs the indexer (the backfill's path), then asks every labelled query three ways through
the search service: full-text only (`semantic=False`), vectors only (the in-process index or
pgvector), and hybrid (what GET /search answers). Each query has one right answer, so recall@10
is the share of queries whose answer is in the first ten.

Usage: .venv/bin/python bench/search_quality.py [--database-url postgresql://...] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from agent_hub.agents.models import Agent  # noqa: E402
from agent_hub.comments.models import Comment  # noqa: E402
from agent_hub.config import Settings  # noqa: E402
from agent_hub.db.base import new_id, utcnow  # noqa: E402
from agent_hub.db.engine import make_engine, make_sessionmaker  # noqa: E402
from agent_hub.db.migrate import upgrade  # noqa: E402
from agent_hub.posts.models import Post  # noqa: E402
from agent_hub.search import hybrid, service  # noqa: E402
from agent_hub.search import repository as repo  # noqa: E402
from agent_hub.search.indexing import SearchIndexer  # noqa: E402
from agent_hub.startup import ensure_defaults  # noqa: E402
from agent_hub.submolts.models import Submolt  # noqa: E402
from bench.search_corpus import DOCS, QUERIES  # noqa: E402

MODES = ("keyword", "vector", "hybrid")


async def seed(sessionmaker: Any) -> dict[str, str]:
    """The corpus as rows; returns id -> corpus key."""
    keys: dict[str, str] = {}
    async with sessionmaker() as db, db.begin():
        await ensure_defaults(db)
        agent = Agent(id=new_id(), name="benchwriter", name_key="benchwriter", description="")
        db.add(agent)
        await db.flush()
        submolt_id = (await db.execute(select(Submolt.id).where(Submolt.name == "general"))).scalar_one()
        first: str | None = None
        for key, (title, content, media) in DOCS.items():
            if key.startswith("c_"):
                continue
            post = Post(
                id=new_id(), author_id=agent.id, submolt_id=submolt_id, title=title, content=content,
                media_description=media, created_at=utcnow(),
            )  # fmt: skip
            db.add(post)
            keys[post.id] = key
            first = first or post.id
        await db.flush()
        assert first is not None
        for key, (_, content, media) in DOCS.items():
            if key.startswith("c_"):
                c = Comment(
                    id=new_id(), post_id=first, author_id=agent.id, content=content, media_description=media,
                    depth=0, created_at=utcnow(),
                )  # fmt: skip
                c.root_id = c.id
                db.add(c)
                keys[c.id] = key
    return keys


async def ranked(sessionmaker: Any, mode: str, q: str) -> list[str]:
    async with sessionmaker() as db:
        if mode == "vector":
            hits = await hybrid.nearest(db, q, ("posts", "comments"), 10)
            return [rid for _, rid, _ in hits or []]
        body = await service.search(db, q, "all", 10, None, semantic=mode == "hybrid")
        return [r["id"] for r in body["results"]]


async def run(database_url: str) -> dict[str, Any]:
    settings = Settings(database_url=database_url, data_dir=Path(tempfile.mkdtemp()))
    await asyncio.to_thread(upgrade, settings)
    engine = make_engine(settings)
    sessionmaker = make_sessionmaker(engine)
    try:
        keys = await seed(sessionmaker)
        async with sessionmaker() as db, db.begin():
            await repo.enqueue_all(db)
        started = time.perf_counter()
        indexed = await SearchIndexer(sessionmaker).drain()
        seconds = time.perf_counter() - started
        scores: dict[str, dict[str, list[tuple[float, float]]]] = {m: {} for m in MODES}
        misses: dict[str, list[str]] = {m: [] for m in MODES}
        for q, kind, answer in QUERIES:
            for mode in MODES:
                found = [keys.get(rid, "?") for rid in await ranked(sessionmaker, mode, q)]
                rank = found.index(answer) + 1 if answer in found else 0
                scores[mode].setdefault(kind, []).append((1.0 / rank if rank else 0.0, 1.0 if rank else 0.0))
                if not rank:
                    misses[mode].append(q)
        table: dict[str, dict[str, dict[str, float]]] = {}
        for mode in MODES:
            table[mode] = {}
            everything: list[tuple[float, float]] = []
            for kind, pairs in scores[mode].items():
                everything += pairs
                table[mode][kind] = _summary(pairs)
            table[mode]["all"] = _summary(everything)
        return {
            "documents": len(keys),
            "queries": len(QUERIES),
            "indexed": indexed,
            "index_seconds": round(seconds, 2),
            "table": table,
            "misses": misses,
        }
    finally:
        await engine.dispose()


def _summary(pairs: list[tuple[float, float]]) -> dict[str, float]:
    n = max(len(pairs), 1)
    return {
        "mrr@10": round(sum(p[0] for p in pairs) / n, 3),
        "recall@10": round(sum(p[1] for p in pairs) / n, 3),
        "n": len(pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'quality.db'}"
    result = asyncio.run(run(url))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['documents']} documents, {result['queries']} queries; indexed in {result['index_seconds']} s")
    kinds = [k for k in result["table"]["hybrid"] if k != "all"] + ["all"]
    print(f"{'kind':<11} " + " ".join(f"{m + ' MRR/R@10':>20}" for m in MODES))
    for kind in kinds:
        cells = []
        for mode in MODES:
            s = result["table"][mode][kind]
            cells.append(f"{s['mrr@10']:.3f} / {s['recall@10']:.3f}".rjust(20))
        n = result["table"]["hybrid"][kind]["n"]
        print(f"{kind + f' ({n})':<11} " + " ".join(cells))
    for mode in MODES:
        print(f"{mode} misses: {result['misses'][mode]}")


if __name__ == "__main__":
    main()

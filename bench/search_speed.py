"""Search speed: query latency at 100,000 documents, indexer ingestion, index memory.

1. Ingestion: `--ingest` posts (a title and four sentences, 40-80 words; then a title and one
   sentence, comment-sized) go through the real indexer (queue -> text -> ONNX embedding in
   batches -> int8 vectors stored), timed end to end: documents/s, and documents per CPU-second
   (what one core would do on an idle machine).
2. Latency: the database is filled to `--docs` posts (default 100,000). Their text is made of
   sentences from bench/search_corpus.py, three per post; their vectors are the normalised sum
   of those sentences' embeddings plus noise (embedding 100,000 posts with the transformer would
   take the indexer about half an hour on this machine; the ranking cost does not depend on where
   a vector came from). Then `--queries` searches (the labelled queries, cycled) through the
   search service, as GET /search runs it minus HTTP and the read cache (every query is a
   miss): keyword only, and hybrid (query embedding, full-text, nearest vectors, fusion,
   loading the page). p50/p90/p99 per mode; the in-process index's size and the process RSS.

Usage: .venv/bin/python bench/search_speed.py [--docs 100000] [--queries 300] [--ingest 1000]
       [--database-url postgresql://... | --pgvector]   (--pgvector: a PostgreSQL 16 with pgvector
       started from the `pgserver` package, the HNSW path)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from agent_hub.agents.models import Agent  # noqa: E402
from agent_hub.config import Settings  # noqa: E402
from agent_hub.db.base import new_id, utcnow  # noqa: E402
from agent_hub.db.engine import make_engine, make_sessionmaker  # noqa: E402
from agent_hub.db.migrate import upgrade  # noqa: E402
from agent_hub.posts.models import Post  # noqa: E402
from agent_hub.search import embedding, hybrid, service, vectors  # noqa: E402
from agent_hub.search import repository as repo  # noqa: E402
from agent_hub.search.indexing import SearchIndexer  # noqa: E402
from agent_hub.startup import ensure_defaults  # noqa: E402
from agent_hub.submolts.models import Submolt  # noqa: E402
from bench.search_corpus import DOCS, QUERIES  # noqa: E402


def sentences() -> list[str]:
    out: list[str] = []
    for title, content, media in DOCS.values():
        out += [s.strip() + "." for s in f"{title}. {content} {media or ''}".split(".") if len(s.strip()) > 12]
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def base_rows(sessionmaker: Any) -> tuple[str, str]:
    async with sessionmaker() as db, db.begin():
        await ensure_defaults(db)
        submolt = (await db.execute(select(Submolt.id).where(Submolt.name == "general"))).scalar_one()
        found = (await db.execute(select(Agent.id).where(Agent.name_key == "speedwriter"))).scalar()
        if found is not None:  # a database filled by an earlier run (--database-url)
            return found, submolt
        agent = Agent(id=new_id(), name="speedwriter", name_key="speedwriter", description="")
        db.add(agent)
        await db.flush()
        return agent.id, submolt


async def ingest(
    sessionmaker: Any, agent: str, submolt: str, pool: list[str], n: int, threads: int, sentences: int = 4
) -> tuple[float, float]:
    rng = random.Random(7)
    rows = [
        {
            "id": new_id(), "author_id": agent, "submolt_id": submolt, "title": rng.choice(pool)[:120],
            "content": " ".join(rng.sample(pool, sentences)), "created_at": utcnow(),
        }
        for _ in range(n)
    ]  # fmt: skip
    async with sessionmaker() as db, db.begin():
        await db.execute(insert(Post), rows)
        await repo.enqueue(db, [("post", r["id"]) for r in rows])
    indexer = SearchIndexer(sessionmaker, threads=threads)
    await asyncio.to_thread(embedding.engine, threads)  # the model loads once per process, not per batch
    started, started_cpu = time.perf_counter(), time.process_time()
    done = await indexer.drain()
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return done / wall, done / max(cpu, 1e-9)


async def fill(sessionmaker: Any, agent: str, submolt: str, pool: list[str], total: int, pgvector: bool) -> None:
    engine = embedding.engine()
    assert engine is not None
    basis = engine.embed_batched(pool)
    rng = np.random.default_rng(11)
    async with sessionmaker() as db:
        have = int((await db.execute(select(Post.id).limit(1_000_000))).all().__len__())
    todo = total - have
    chunk = 5_000
    for start in range(0, todo, chunk):
        n = min(chunk, todo - start)
        picks = rng.integers(0, len(pool), size=(n, 3))
        vecs = basis[picks].sum(axis=1) + rng.normal(0, 0.02, size=(n, basis.shape[1])).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        now = utcnow()
        rows = [
            {
                "id": new_id(), "author_id": agent, "submolt_id": submolt, "title": pool[p[0]][:120],
                "content": f"{pool[p[1]]} {pool[p[2]]} #{start + i}", "created_at": now,
            }
            for i, p in enumerate(picks)
        ]  # fmt: skip
        blobs = vectors.quantize(vecs)
        async with sessionmaker() as db, db.begin():
            await db.execute(insert(Post), rows)
            await repo.store(
                db,
                embedding.MODEL_ID,
                [(("post", r["id"]), b, v if pgvector else None) for r, b, v in zip(rows, blobs, vecs, strict=True)],
                pgvector=pgvector,
            )
        print(f"  filled {have + start + n:,}/{total:,}", flush=True)


def backend_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a local PostgreSQL backend process has used, 0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def latency(
    sessionmaker: Any, queries: list[str], semantic: bool
) -> tuple[list[float], list[float], list[float]]:
    """Wall time, CPU time (this process, all its threads) and, on a local PostgreSQL, the
    database backend's CPU time per query, in ms. On a shared, loaded machine the wall time
    includes waiting for a core; the CPU times are what the query costs, about its wall time on
    an idle machine (the backend's is counted in 10 ms clock ticks: read its mean, not its
    percentiles)."""
    wall, cpu, db_cpu = [], [], []
    for q in queries:
        async with sessionmaker() as db:
            pid = None
            if db.get_bind().dialect.name == "postgresql":
                pid = int((await db.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu(pid)
            await service.search(db, q, "all", 20, None, semantic=semantic)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            db_cpu.append((backend_cpu(pid) - started_db) * 1000)
    return wall, cpu, db_cpu


async def run(args: argparse.Namespace) -> None:
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'speed.db'}"
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()))
    await asyncio.to_thread(upgrade, settings)
    engine = make_engine(settings)
    sessionmaker = make_sessionmaker(engine)
    pool = sentences()
    try:
        agent, submolt = await base_rows(sessionmaker)
        async with sessionmaker() as db:
            pgvector = await hybrid.uses_pgvector(db)
        print(f"engine {engine.dialect.name}{' + pgvector' if pgvector else ''}; load {os.getloadavg()}")
        if args.ingest:
            for threads, per_doc in ((1, 4), (2, 4), (1, 1)):
                rate, per_cpu = await ingest(sessionmaker, agent, submolt, pool, args.ingest, threads, per_doc)
                print(
                    f"ingestion, {args.ingest} posts of a title and {per_doc} sentence(s), {threads} ONNX "
                    f"thread(s): {rate:.1f} documents/s wall, {per_cpu:.1f} documents per CPU-second",
                    flush=True,
                )
        async with sessionmaker() as db:
            filling = int((await db.execute(text("SELECT count(*) FROM posts"))).scalar_one()) < args.docs
        if pgvector and filling:
            # Filling 100,000 rows through the HNSW index one by one takes half an hour here; a
            # bulk build after the fill is how a backfill of a large hub would be done too.
            async with sessionmaker() as db, db.begin():
                await db.execute(text("DROP INDEX IF EXISTS ix_search_vectors_hnsw"))
        await fill(sessionmaker, agent, submolt, pool, args.docs, pgvector)
        if pgvector and filling:
            started = time.perf_counter()
            async with sessionmaker() as db, db.begin():
                await db.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
                await db.execute(
                    text(
                        "CREATE INDEX ix_search_vectors_hnsw ON search_vectors USING hnsw (embedding vector_cosine_ops)"
                    )
                )
            print(f"HNSW index built over {args.docs:,} vectors in {time.perf_counter() - started:.1f} s", flush=True)
        queries = [q for q, _, _ in QUERIES] * (args.queries // len(QUERIES) + 1)
        queries = queries[: args.queries]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        async with sessionmaker() as db:
            started = time.perf_counter()
            index = await vectors.catch_up(db) if not pgvector else None
            load = time.perf_counter() - started
        if index is not None:
            print(f"in-process index: {len(index):,} vectors, {index.nbytes / 2**20:.0f} MiB, loaded in {load:.1f} s")
        await latency(sessionmaker, queries[:60], True)  # warm: model, caches of the database
        print(f"load before timing: {os.getloadavg()}")
        for semantic in (False, True):
            wall, cpu, db_cpu = await latency(sessionmaker, queries, semantic)
            mode = "hybrid" if semantic else "keyword"
            for label, times in (("wall", wall), ("cpu", cpu)):
                print(
                    f"{mode:<8} {label:<4} {len(times)} queries at {args.docs:,} docs: "
                    f"p50 {statistics.median(times):.1f} ms, p90 {pct(times, 90):.1f} ms, "
                    f"p99 {pct(times, 99):.1f} ms, max {max(times):.1f} ms",
                    flush=True,
                )
            if any(db_cpu):
                print(
                    f"{mode:<8} database backend CPU per query: mean {statistics.mean(db_cpu):.1f} ms, "
                    f"max {max(db_cpu):.0f} ms (10 ms ticks)",
                    flush=True,
                )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"max RSS {rss / 1024:.0f} MiB (before loading the index {rss_before / 1024:.0f} MiB); "
            f"load {os.getloadavg()}"
        )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--ingest", type=int, default=1000, help="posts run through the indexer (0: skip)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--pgvector", action="store_true", help="PostgreSQL 16 + pgvector from pgserver")
    args = parser.parse_args()
    if not args.pgvector:
        asyncio.run(run(args))
        return
    import uuid

    from tests.support import db as dbsupport
    from tests.support.pgvector import database_url, pgvector_server

    with pgvector_server() as admin:
        name = f"search_speed_{uuid.uuid4().hex[:8]}"
        asyncio.run(dbsupport.pg_create(admin, name))
        args.database_url = database_url(admin, name)
        asyncio.run(run(args))


if __name__ == "__main__":
    main()

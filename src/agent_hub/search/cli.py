"""`agent-hub search-index`: the search indexer on its own, and the backfill."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time

from agent_hub.cli import command
from agent_hub.config import Settings


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backfill", action="store_true", help="queue every post and comment, index them, then exit")
    p.add_argument("--once", action="store_true", help="index what is queued, then exit")
    p.add_argument("--batch", type=int, default=32, help="documents embedded together (default 32)")
    p.add_argument("--threads", type=int, default=1, help="batches encoded at once, one core each (default 1)")


@command("search-index", "index posts and comments for semantic search (--backfill: everything)", _args)
def search_index(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.logs import configure_logging
    from agent_hub.search import embedding

    configure_logging(settings.log_level)
    reason = embedding.unavailable_reason()
    if reason is not None:
        print(f"agent-hub: semantic search needs the embedding engine: {reason}", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub import events
    from agent_hub.cache.setup import install_read_cache
    from agent_hub.db.engine import make_engine, make_sessionmaker
    from agent_hub.search import repository as repo
    from agent_hub.search.indexing import SearchIndexer, install_indexing

    engine = make_engine(settings)
    install_read_cache(engine, None, settings)
    sessionmaker = make_sessionmaker(engine)
    indexer = SearchIndexer(sessionmaker, batch=max(1, args.batch), threads=max(1, args.threads))
    install_indexing(engine, wake=indexer.wakeup.set)
    try:
        if args.backfill:
            async with sessionmaker() as db, db.begin():
                queued = await repo.enqueue_all(db)
                events.emit(db, events.ContentChanged(text=True))
            print(f"queued {queued} document(s)", flush=True)
        if args.backfill or args.once:
            async with sessionmaker() as db:
                total, _ = await repo.pending(db)
            started = time.monotonic()
            last = [0.0]

            def progress(done: int) -> None:
                now = time.monotonic()
                if now - last[0] >= 2.0 or done >= total:
                    last[0] = now
                    rate = done / max(now - started, 1e-9)
                    print(f"indexed {done}/{total} ({rate:.0f} documents/s)", flush=True)

            done = await indexer.drain(progress)
            print(f"done: {done} document(s) in {time.monotonic() - started:.1f} s", flush=True)
            return 0
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        indexer.start()
        print("search indexer ready", flush=True)
        await stop.wait()
        await indexer.stop()
        return 0
    finally:
        await engine.dispose()

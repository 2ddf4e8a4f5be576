"""`agent-hub worker`: the media-processor as its own process (PostgreSQL deployments)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from agent_hub.cli import command
from agent_hub.config import Settings

log = logging.getLogger("agent_hub.media.worker")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--concurrency", type=int, default=None, help="jobs processed at once (default: settings)")
    p.add_argument("--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port")
    p.add_argument("--metrics-host", default="0.0.0.0", help="address for --metrics-port")
    p.add_argument("--once", action="store_true", help="process the jobs that are due, then exit")
    p.add_argument("--no-warm-up", action="store_true", help="do not preload the description models")


@command("worker", "run the media-processor (describes uploaded images and audio) and the search indexer", _args)
def worker(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.doctor.cli import report_engines
    from agent_hub.logs import configure_logging

    configure_logging(settings.log_level)
    report_engines(settings)  # an engine in the chain whose package is missing: said now, with the extra
    if args.metrics_port:
        from prometheus_client import start_http_server

        from agent_hub import metrics

        start_http_server(args.metrics_port, addr=args.metrics_host, registry=metrics.REGISTRY)
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.cache.setup import install_read_cache
    from agent_hub.db.engine import make_engine, make_sessionmaker
    from agent_hub.search.indexing import SearchIndexer, install_indexing

    from .worker import MediaWorker

    engine = make_engine(settings)
    version = install_read_cache(engine, None, settings)  # descriptions change posts: replicas' caches must see it
    sessionmaker = make_sessionmaker(engine)
    worker = MediaWorker(settings, sessionmaker, concurrency=args.concurrency)
    # The search indexer runs beside the media worker; a new description is an index job.
    indexer = SearchIndexer(sessionmaker) if settings.search_semantic else None
    install_indexing(engine, wake=indexer.wakeup.set if indexer is not None else None)
    redis = _publish_signals(settings, engine, sessionmaker)
    version.redis = redis
    try:
        if not args.no_warm_up:
            await worker.warm_up()
        if args.once:
            done = await worker.drain()
            print(f"processed {done} media job(s)")
            if indexer is not None:
                print(f"indexed {await indexer.drain()} search document(s)")
            return 0
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        worker.start()
        if indexer is not None:
            indexer.start()
        log.info("media worker %s started (concurrency %d)", worker.worker_id, worker.concurrency)
        print(f"media worker {worker.worker_id} ready", flush=True)
        await stop.wait()
        await worker.stop(grace=float(settings.engine_timeout_seconds))
        if indexer is not None:
            await indexer.stop()
        return 0
    finally:
        if redis is not None:
            await redis.aclose()
        await engine.dispose()


def _publish_signals(settings: Settings, engine: Any, sessionmaker: Any) -> Any:
    """With REDIS_URL, hand the signals this process commits (media_ready) to the replicas'
    realtime bus, exactly as an API replica would; without it they only live in the database
    (the in-process worker of the embedded default publishes through its own hub instead)."""
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    from agent_hub import events
    from agent_hub.realtime.hub import Realtime
    from agent_hub.realtime.setup import signals_to

    redis = Redis.from_url(settings.redis_url, decode_responses=False, health_check_interval=30)
    # Publish-only: the hub is never started, so this process does not subscribe to the bus.
    events.subscribe(engine, on_commit=signals_to(Realtime(settings, sessionmaker, redis)))
    return redis

"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from agent_hub import __version__
from agent_hub.agents.follow_sql import follow_batcher
from agent_hub.agents.key_cache import KeyCache
from agent_hub.auth import install_auth
from agent_hub.cache import ResponseCache
from agent_hub.cache.setup import install_read_cache
from agent_hub.cache.tracking import TrackedSession
from agent_hub.comments.batcher import comment_batcher
from agent_hub.config import Settings, get_settings
from agent_hub.db.engine import make_engine, make_sessionmaker
from agent_hub.db.lane import WriteLane
from agent_hub.db.read_lane import ReadLane
from agent_hub.errors import install_error_handlers
from agent_hub.health.router import router as health_router
from agent_hub.http.admission import AdmissionMiddleware
from agent_hub.http.client_ip import parse_networks
from agent_hub.http.middleware import BodyLimitMiddleware, RateLimitMiddleware, RequestContextMiddleware
from agent_hub.http.text import TextGuardMiddleware
from agent_hub.logs import configure_logging
from agent_hub.openapi import install_openapi
from agent_hub.posts.batcher import post_batcher
from agent_hub.ratelimit import PROFILES, RateLimiter
from agent_hub.ratelimit.tiers import TierMemo
from agent_hub.realtime.setup import install as install_realtime
from agent_hub.refusals import RefusalLog
from agent_hub.routes import api_routers
from agent_hub.startup import ensure_defaults
from agent_hub.submolts.subscribe_sql import subscription_batcher
from agent_hub.votes.batcher import vote_batcher

log = logging.getLogger("agent_hub")

API_PREFIX = "/api/v1"
LOOPBACK = ("127.0.0.0/8", "::1/128")  # always allowed to read /metrics (a sidecar, the operator)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with app.state.sessionmaker() as db, db.begin():
            await ensure_defaults(db)
        for hook in app.state.startup_hooks:
            await hook(app)
        try:
            yield
        finally:
            for hook in reversed(app.state.shutdown_hooks):
                await hook(app)
            for votes in app.state.vote_batchers.values():
                await votes.settle()  # the folds of acknowledged votes, before the engine goes
            app.state.cache_versions.close()
            if app.state.redis is not None:
                await app.state.redis.aclose()
            await app.state.write_lane.close()
            if app.state.read_lane is not None:
                await app.state.read_lane.close()
            await app.state.engine.dispose()

    app = FastAPI(
        title="Agent Hub",
        version=__version__,
        description="Moltbook-compatible social network for AI agents and their human owner.",
        lifespan=lifespan,
        docs_url="/docs" if settings.show_docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.show_docs else None,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.redis = _make_redis(settings)
    app.state.cache_versions = install_read_cache(app.state.engine, app.state.redis, settings)
    app.state.read_cache = ResponseCache(settings.read_cache_mb * 1024 * 1024, settings.read_cache_seconds)
    app.state.key_cache = KeyCache(settings.key_cache_seconds if settings.read_cache_mb else 0)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.limiter = RateLimiter(app.state.redis)
    app.state.refusals = RefusalLog(app.state.redis)  # 401/403/429 per agent, for the activity view
    app.state.write_lane = WriteLane(app.state.engine)
    # The read caches' rebuild queries on asyncpg (PostgreSQL); elsewhere in the request's session.
    app.state.read_lane = ReadLane(app.state.engine) if app.state.engine.dialect.name == "postgresql" else None
    app.state.comment_batcher = comment_batcher(app.state.write_lane, app.state.engine)
    app.state.post_batcher = post_batcher(app.state.write_lane, app.state.engine)
    app.state.subscription_batcher = subscription_batcher(app.state.write_lane, app.state.engine)
    app.state.follow_batcher = follow_batcher(app.state.write_lane, app.state.engine)
    app.state.vote_batchers = {
        kind: vote_batcher(app.state.write_lane, app.state.engine, TrackedSession, kind) for kind in ("post", "comment")
    }
    app.state.limits = PROFILES[settings.rate_limits]
    app.state.tier_memo = TierMemo()  # what identity learned of each credential's trust tier
    app.state.metrics_networks = parse_networks([*LOOPBACK, *settings.metrics_allowed_cidrs])
    app.state.session_resolver = None
    app.state.startup_hooks = []
    app.state.shutdown_hooks = []
    install_realtime(app)

    install_error_handlers(app)
    install_openapi(app)
    app.include_router(health_router)
    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)
    install_auth(app)  # /auth routes, owner session resolver, CSRF check (innermost middleware)

    @app.get("/", include_in_schema=False)
    async def root() -> dict:
        return {"name": "Agent Hub", "version": __version__, "documentation": f"{settings.public_base}/docs"}

    # --- idempotency keys (docs/decisions/0004-idempotency-keys.md) ---
    from agent_hub.idempotency import IdempotencyMiddleware

    app.add_middleware(IdempotencyMiddleware, state=app.state)
    # --- end idempotency keys ---

    # Outermost first: context (ids, IP, headers, metrics) -> CORS -> body limits -> text -> rate limits.
    app.add_middleware(
        RateLimitMiddleware,
        limiter=app.state.limiter,
        profile=app.state.limits,
        tiers=app.state.tier_memo,
        refusals=app.state.refusals,
    )
    app.add_middleware(TextGuardMiddleware)  # NUL, lone surrogates, bad UTF-8: 400 before any work
    app.add_middleware(
        BodyLimitMiddleware,
        json_limit=settings.max_body_bytes,
        upload_limit=settings.media_audio_max_bytes + 1024 * 1024,
    )
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o for o in settings.allowed_origins if o != "null"],
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Requested-With", "X-CSRF-Token"],
            expose_headers=["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        trusted=parse_networks(settings.trusted_proxies),
        hsts=True,
    )
    # --- media: store, media URLs, in-process worker on SQLite ---
    from agent_hub.media.install import install_media

    install_media(app, settings)
    # --- end media ---
    from agent_hub.media.worker import runs_in_process
    from agent_hub.search.install import install_search

    install_search(app, settings, runs_in_process(settings))  # index jobs; the indexer where media's worker runs
    from agent_hub.housekeeping.loop import install_housekeeping

    install_housekeeping(app, settings)  # prunes finished deliveries/jobs, dead sessions, old events
    from agent_hub.mcp.install import install_mcp

    install_mcp(app, settings)  # /mcp: the MCP endpoint (docs/mcp.md); before the UI's catch-all
    # --- ui_proxy: same-origin web UI in the embedded default (registered last) ---
    from agent_hub.ui_proxy import install_ui_proxy

    install_ui_proxy(app, settings)
    # --- end ui_proxy ---
    if settings.max_concurrent_requests:  # outermost: a waiting request has cost nothing yet
        app.add_middleware(AdmissionMiddleware, limit=settings.max_concurrent_requests)
    return app


def _make_redis(settings: Settings):  # type: ignore[no-untyped-def]
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url, decode_responses=False, health_check_interval=30)

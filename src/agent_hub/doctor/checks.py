"""What `agent-hub doctor` checks. Each check returns findings; an ``error`` finding means the
installation will not work (or is unsafe) as configured, a ``warn`` finding that it works with a
limitation the operator should know about. Every finding that is not ``ok`` carries its fix.

The checks read the same settings and use the same code paths as the server (engine chains,
storage, migrations), so the doctor cannot disagree with what ``serve`` and ``worker`` do.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from agent_hub.config import Settings
from agent_hub.extras import install_hint, installed

Level = Literal["ok", "warn", "error"]
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    check: str
    message: str
    fix: str = ""


def ok(check: str, message: str) -> Finding:
    return Finding("ok", check, message)


# --- settings only (no network) -------------------------------------------------------------


def public_url(settings: Settings) -> list[Finding]:
    """Passkeys are bound to the public URL's host (the WebAuthn RP ID); cookies to its scheme."""
    parts = urlsplit(settings.public_base)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return [
            Finding(
                "error",
                "public url",
                f"AGENT_HUB_PUBLIC_URL={settings.public_url!r} is not an http(s) URL",
                "set AGENT_HUB_PUBLIC_URL to the address owners open, e.g. https://hub.example.com",
            )
        ]
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    findings: list[Finding] = []
    if is_ip and host not in ("127.0.0.1", "::1"):
        findings.append(
            Finding(
                "error",
                "webauthn rp id",
                f"the public URL's host {host} is an IP address: passkeys cannot use it",
                "serve the hub under a DNS name and set AGENT_HUB_PUBLIC_URL to it",
            )
        )
    if settings.environment == "production":
        if parts.scheme != "https":
            findings.append(
                Finding(
                    "error",
                    "public url",
                    f"production with {settings.public_base}: owner cookies and passkeys need https",
                    "set AGENT_HUB_PUBLIC_URL=https://<your host>",
                )
            )
        if host in ("localhost", "127.0.0.1", "::1"):
            findings.append(
                Finding(
                    "error",
                    "public url",
                    f"production with the public URL on {host}: no owner can reach it",
                    "set AGENT_HUB_PUBLIC_URL to the hub's public https address",
                )
            )
    if not findings:
        findings.append(ok("public url", f"{settings.public_base} (passkey RP ID {host})"))
    return findings


def secrets(settings: Settings) -> list[Finding]:
    if settings.secret_key:
        return [ok("secret key", "AGENT_HUB_SECRET_KEY is set")]
    if settings.environment == "production" and not settings.is_sqlite:
        return [
            Finding(
                "error",
                "secret key",
                "production on PostgreSQL without AGENT_HUB_SECRET_KEY: replicas cannot "
                "read each other's TOTP seeds, and the server refuses owner login",
                "set AGENT_HUB_SECRET_KEY (a long random string, the same on every replica) from a Secret",
            )
        ]
    return [ok("secret key", f"generated key file in {settings.data_dir} (embedded mode)")]


def trusted_proxies(settings: Settings) -> list[Finding]:
    if settings.trusted_proxies:
        return [ok("trusted proxies", ", ".join(settings.trusted_proxies))]
    if settings.environment == "production":
        return [
            Finding(
                "warn",
                "trusted proxies",
                "no trusted proxies: behind an ingress every client has the "
                "ingress's address, so per-IP limits and the audit log see one client",
                "set AGENT_HUB_TRUSTED_PROXIES to the ingress's pod CIDR (e.g. 10.42.0.0/16)",
            )
        ]
    return [ok("trusted proxies", "none (clients connect directly)")]


def metrics_exposure(settings: Settings) -> list[Finding]:
    if settings.metrics_allowed_cidrs:
        return [ok("metrics", "/metrics answers loopback and " + ", ".join(settings.metrics_allowed_cidrs))]
    if settings.environment == "production":
        return [
            Finding(
                "warn",
                "metrics",
                "/metrics answers loopback only: a scraper in the cluster gets 404",
                "set AGENT_HUB_METRICS_ALLOWED_CIDRS to the scraper's network (e.g. the pod CIDR)",
            )
        ]
    return [ok("metrics", "/metrics answers loopback only")]


def engine_packages(kind: str, name: str) -> Finding | None:
    """An unknown engine name (error) or a missing package (warning, with the extra); else None.
    Cheap: nothing is imported, so `serve` and `worker` can say it before they start."""
    from agent_hub.media.engines import ENGINES, missing_packages

    engine = ENGINES.get((kind, name))
    if engine is None:
        known = sorted(n for k, n in ENGINES if k == kind)
        return Finding(
            "error",
            f"{kind} engines",
            f"unknown engine {name!r}",
            f"use one of {', '.join(known)} in AGENT_HUB_{kind.upper()}_ENGINES",
        )
    missing = missing_packages(engine)
    if missing:
        return Finding(
            "warn", f"{kind} engines", f"{name} is skipped: `{missing[0]}` is not installed", install_hint(missing[0])
        )
    return None


def chains(settings: Settings) -> dict[str, list[str]]:
    return {"audio": list(settings.audio_engines), "image": list(settings.image_engines)}


def engines(settings: Settings) -> list[Finding]:
    """Every engine named in a chain: known, its packages installed, configured."""
    from agent_hub.media.engines import ENGINES

    findings: list[Finding] = []
    for kind, chain in chains(settings).items():
        usable: list[str] = []
        unconfigured: list[str] = []  # optional engines waiting for settings: not a problem
        for name in chain:
            problem = engine_packages(kind, name)
            if problem is not None:
                findings.append(problem)
            elif not ENGINES[(kind, name)].configured(settings):
                unconfigured.append(name)
            else:
                usable.append(name)
        if usable:
            skipped = f" (not configured: {', '.join(unconfigured)})" if unconfigured else ""
            findings.append(ok(f"{kind} engines", " -> ".join(usable) + skipped))
        else:
            findings.append(
                Finding(
                    "error",
                    f"{kind} engines",
                    f"no {kind} engine in the chain can run",
                    f"add basic to AGENT_HUB_{kind.upper()}_ENGINES",
                )
            )
    return findings


def search_engine(settings: Settings) -> list[Finding]:
    """Semantic search needs the `search` extra; without it search answers by keywords only."""
    from agent_hub.search import embedding

    if not settings.search_semantic:
        return [ok("search", "keywords only (AGENT_HUB_SEARCH_SEMANTIC=false)")]
    reason = embedding.unavailable_reason()
    if reason is not None:
        return [Finding("warn", "search", f"keywords only: {reason.split(':')[0]}", embedding.SEARCH_HINT)]
    try:
        embedding.verify()
    except embedding.ModelMismatch as exc:
        return [Finding("error", "search", str(exc), f"reinstall the pinned model: {embedding.SEARCH_HINT}")]
    return [ok("search", f"semantic and keywords ({embedding.MODEL_ID}, checksum verified)")]


def settings_findings(settings: Settings) -> list[Finding]:
    return [
        *public_url(settings),
        *secrets(settings),
        *trusted_proxies(settings),
        *metrics_exposure(settings),
        *engines(settings),
        *search_engine(settings),
    ]


# --- services (network) ---------------------------------------------------------------------


async def _timed(check: str, fn: Callable[[], Awaitable[Finding]], fix: str) -> Finding:
    try:
        return await asyncio.wait_for(fn(), timeout=TIMEOUT_SECONDS)
    except TimeoutError:
        return Finding("error", check, f"no answer within {TIMEOUT_SECONDS:.0f} s", fix)
    except Exception as exc:  # any failure is the finding
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return Finding("error", check, f"{type(exc).__name__}: {first_line}", fix)


async def database(settings: Settings) -> list[Finding]:
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from agent_hub.db.engine import make_engine
    from agent_hub.db.migrate import alembic_config

    where = "SQLite" if settings.is_sqlite else "PostgreSQL"
    script = ScriptDirectory.from_config(alembic_config(settings))
    known = {r.revision for r in script.walk_revisions()}
    engine = make_engine(settings)
    current: set[str] = set()

    async def reach() -> Finding:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            try:
                rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
                current.update(str(r[0]) for r in rows)
            except Exception:  # no table yet: nothing migrated
                pass
        return ok("database", f"{where} reachable")

    try:
        reached = await _timed("database", reach, "check DATABASE_URL and that the database accepts connections")
    finally:
        await engine.dispose()
    if reached.level != "ok":
        return [reached]
    if not current:
        return [reached, Finding("error", "migrations", "the database has no schema", "run `agent-hub migrate`")]
    unknown = current - known
    if unknown:
        # The database was migrated by a newer release than the one installed here.
        return [
            reached,
            Finding(
                "error",
                "migrations",
                "the database is at " + ", ".join(sorted(unknown)) + ", which this release does not know",
                "run the release that migrated it (or a newer one)",
            ),
        ]
    # Applied = the recorded revisions and everything they build on (dependencies included).
    applied = {r.revision for r in script.revision_map.iterate_revisions(tuple(current), "base") if r is not None}
    pending = sorted(known - applied)
    if pending:
        return [
            reached,
            Finding(
                "error",
                "migrations",
                f"{len(pending)} pending migration(s): " + ", ".join(pending),
                "run `agent-hub migrate` (the migration job in Kubernetes)",
            ),
        ]
    return [reached, ok("migrations", "at head (" + ", ".join(sorted(script.get_heads())) + ")")]


async def valkey(settings: Settings) -> list[Finding]:
    if not settings.redis_url:
        if settings.environment == "production" and not settings.is_sqlite:
            return [
                Finding(
                    "warn",
                    "valkey",
                    "REDIS_URL is not set: caches, rate limits and realtime are per process, "
                    "so several replicas disagree",
                    "set REDIS_URL to the Valkey service",
                )
            ]
        return [ok("valkey", "not configured (single process)")]
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url)

    async def ping() -> Finding:
        await client.ping()
        return ok("valkey", "reachable")

    try:
        return [await _timed("valkey", ping, "check REDIS_URL and that Valkey accepts connections")]
    finally:
        await client.aclose()


async def media_store(settings: Settings) -> list[Finding]:
    if not settings.s3_endpoint:
        return [ok("media store", f"local directory {settings.data_dir / 'media'}")]
    if not installed("boto3"):
        return [Finding("error", "media store", "S3_ENDPOINT is set but boto3 is not installed", install_hint("boto3"))]
    from agent_hub.storage import make_store

    async def ping() -> Finding:
        await make_store(settings).ping()  # building the client can fail too (bad credentials)
        return ok("media store", f"S3 bucket {settings.s3_bucket} at {settings.s3_endpoint}")

    fix = "check S3_ENDPOINT, the bucket name and the S3 credentials (read and write access)"
    return [await _timed("media store", ping, fix)]


async def service_findings(settings: Settings) -> list[Finding]:
    results = await asyncio.gather(database(settings), valkey(settings), media_store(settings))
    return [finding for group in results for finding in group]


async def run_all(settings: Settings) -> list[Finding]:
    return settings_findings(settings) + await service_findings(settings)

"""Test fixtures: the real app over HTTP (httpx + ASGI), on SQLite and on real PostgreSQL.

Every API test runs once per engine (`engine` fixture). The schema comes from the Alembic
migrations; tables are emptied between tests. In CI (`CI=true`) a missing PostgreSQL or
Redis is an error, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_hub.app import create_app
from agent_hub.config import Settings
from agent_hub.db.migrate import upgrade
from tests.support import db as dbsupport

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("AGENT_HUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("AGENT_HUB_TEST_REDIS", "redis://127.0.0.1:6379/15")
ENGINES = [e for e in os.environ.get("AGENT_HUB_TEST_ENGINES", "sqlite,postgres").split(",") if e]


def unavailable(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agent_hub")


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(engine_name: str, tmp_root: Path) -> Any:
    """A migrated, empty database for this engine, for the whole session."""
    yield from migrated_database(engine_name, tmp_root)


def migrated_database(engine_name: str, tmp_root: Path) -> Any:
    if engine_name == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_root / 'test.db'}"
        upgrade(Settings(database_url=url, data_dir=tmp_root))
        yield url
        return
    name = f"agent_hub_test_{uuid.uuid4().hex[:10]}"
    if not asyncio.run(dbsupport.pg_available(PG_ADMIN_URL)):
        unavailable("PostgreSQL at " + PG_ADMIN_URL)
    asyncio.run(dbsupport.pg_create(PG_ADMIN_URL, name))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(Settings(database_url=url, data_dir=tmp_root))
    yield url
    asyncio.run(dbsupport.pg_drop(PG_ADMIN_URL, name))


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not asyncio.run(dbsupport.redis_available(REDIS_URL)):
        unavailable("Redis at " + REDIS_URL)
    return REDIS_URL


def base_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "registration": "open",
        "rate_limits": "off",
        "public_url": "http://localhost:8000",
        "audio_engines": ["basic"],
        "image_engines": ["basic"],
        "media_worker_in_process": False,
        "log_level": "INFO",
        "housekeeping_seconds": 0,  # a background prune would race tests that seed old rows
        "metrics_allowed_cidrs": ["203.0.113.7/32"],  # the test client's address (closed by default)
    }
    values.update(overrides)
    return Settings(**values)


class Hub:
    """A running app instance plus helpers to act as agents through the HTTP API."""

    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        self.settings: Settings = app.state.settings

    async def register(self, name: str | None = None, **extra: Any) -> Actor:
        name = name or f"agent_{uuid.uuid4().hex[:8]}"
        resp = await self.client.post("/api/v1/agents/register", json={"name": name, **extra})
        assert resp.status_code == 201, resp.text
        return Actor(self, name, resp.json()["agent"]["api_key"], resp.json())


class Actor:
    def __init__(self, hub: Hub, name: str, key: str, registration: dict[str, Any]) -> None:
        self.hub = hub
        self.name = name
        self.key = key
        self.registration = registration
        self.headers = {"Authorization": f"Bearer {key}"}

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return await self.hub.client.request(method, path, headers=headers, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)


HubFactory = Callable[..., Awaitable[Hub]]


@pytest.fixture
async def make_hub(database_url: str, tmp_path: Path) -> AsyncIterator[HubFactory]:
    """Start app instances on the session database (emptied first); all share its data."""
    await dbsupport.truncate_all(database_url)
    started: list[tuple[Any, Any, httpx.AsyncClient]] = []

    async def factory(**overrides: Any) -> Hub:
        settings = base_settings(database_url, tmp_path, **overrides)
        app = create_app(settings)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        client = httpx.AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks={"request": [folds_settled]}
        )
        started.append((app, lifespan, client))
        return Hub(app, client)

    async def folds_settled(_request: httpx.Request) -> None:
        """Each request the tests send comes after the background folds of the votes acknowledged
        before it (votes/batcher.py: milliseconds later on a real hub), on every app instance:
        tests read an author's karma and inbox right after voting. That folds do finish by
        themselves is tested without this hook (tests/votes/test_effects.py)."""
        for app, _lifespan, _client in started:
            for votes in app.state.vote_batchers.values():
                await votes.settle()

    yield factory
    for _app, lifespan, client in reversed(started):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def hub(make_hub: HubFactory) -> Hub:
    return await make_hub()


# --- collection and skips ---------------------------------------------------------------------
#
# `postgres_only` tests are deselected for SQLite at collection (they test PostgreSQL's own
# behaviour: row locks, the write lane), so they neither run nor count as skipped there.
#
# Every skip reason is printed at the end of the run (`-ra`). With CI=true a skip is a failure
# unless its reason matches ALLOWED_SKIPS_IN_CI: the short list of things CI legitimately does
# not have. Anything else (a missing service, engine or browser; a feature "not landed") must
# fail or run. Add to this list only with a reason a reviewer would accept.
ALLOWED_SKIPS_IN_CI: dict[str, str] = {
    "terraform not found on PATH": "Terraform is not a Debian package; the HCL checks run where it is installed",
}
_skips: list[tuple[str, str]] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine_name") if callspec is not None else None
        if item.get_closest_marker("postgres_only") is not None and engine == "sqlite":
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        _skips.append((report.nodeid, reason.removeprefix("Skipped: ")))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not IN_CI:
        return
    refused = [(node, why) for node, why in _skips if not any(ok in why for ok in ALLOWED_SKIPS_IN_CI)]
    if refused:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["skips that are not allowed in CI (tests/conftest.py, ALLOWED_SKIPS_IN_CI):"]
        lines += [f"  {node}: {why}" for node, why in refused]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

"""SDK tests run against a real Agent Hub server started on loopback (a subprocess on a free
port, SQLite in a temp dir, open registration, rate limits off unless a test turns them on).

Tests that need the server are skipped when the `agent_hub` package is not importable (the SDK
installed alone); in the repository (and CI) it always is.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from hubserver import HangingServer, HubServer, migrate, server_available

from agent_hub_client import AsyncClient, Client

needs_server = pytest.mark.skipif(not server_available(), reason="agent_hub server package not importable")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hub")
    if server_available():
        migrate(path)
    return path


@pytest.fixture(scope="session")
def hub_server(data_dir: Path) -> Iterator[HubServer]:
    if not server_available():
        pytest.skip("agent_hub server package not importable")
    server = HubServer(data_dir).start()
    yield server
    server.stop()


ServerFactory = Callable[..., HubServer]


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start extra servers; all share one migrated data dir (so keys work on each of them)."""
    if not server_available():
        pytest.skip("agent_hub server package not importable")
    migrate(tmp_path)
    started: list[HubServer] = []

    def factory(port: int | None = None, **env: str) -> HubServer:
        server = HubServer(tmp_path, port, **env).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.kill()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


def unique(prefix: str = "a") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def client(hub_server: HubServer) -> Iterator[Client]:
    with Client(hub_server.url, api_key="") as c:
        c.register(unique(), "test agent", type="claude")
        yield c


@pytest.fixture
async def aclient(hub_server: HubServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(hub_server.url, api_key="") as c:
        await c.register(unique(), "test agent", type="claude")
        yield c


# With CI=true nothing may be skipped: CI installs the server next to the SDK, so a skip here
# means a test silently stopped testing. Every skip reason is printed at the end (`-ra`).
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(f"{report.nodeid}: {report.longrepr[2] if isinstance(report.longrepr, tuple) else ''}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import os

    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("skips are not allowed in CI:\n  " + "\n  ".join(_skipped), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

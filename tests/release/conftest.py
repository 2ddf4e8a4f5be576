"""Release-test fixtures: the built distributions, a venv installed the way the API image is
installed, and real processes of the installed `agent-hub` with their logs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PG_ADMIN_URL, unavailable
from tests.media.conftest import audio_dir, s3_endpoint  # noqa: F401 - pytest fixtures
from tests.support import db as dbsupport
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
INSTALL_API = ROOT / "deploy" / "images" / "install-api.sh"


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build`: the wheel and the sdist an operator would download."""
    out = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(f"\nrelease: build took {time.monotonic() - started:.1f} s")
    wheels = list(out.glob("agent_hub-*.whl"))
    sdists = list(out.glob("agent_hub-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    names = zipfile.ZipFile(wheels[0]).namelist()
    for needed in ("agent_hub/migrations/script.py.mako", "agent_hub/py.typed", "agent_hub/migrations/env.py"):
        assert needed in names, needed
    assert any(n.startswith("agent_hub/migrations/versions/") for n in names)
    return wheels[0]


@pytest.fixture(scope="session")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel (base install), by the image's install script."""
    path = tmp_path_factory.mktemp("release") / "venv"
    install(path, wheel)
    return path


def install(path: Path, wheel: Path, extras: str = "") -> None:
    started = time.monotonic()
    cmd = ["bash", str(INSTALL_API), "--skip-apt", "--src", str(wheel), str(path)]
    if extras:
        cmd[3:3] = ["--extras", extras]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, env=clean_env({}))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(f"\nrelease: install-api.sh {extras or 'base'} took {time.monotonic() - started:.1f} s")


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """Only what a container would have: no dev venv on PATH, no PYTHONPATH, no AGENT_HUB_*."""
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR") or k.startswith("PIP_")}
    keep["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    keep["PYTHONUNBUFFERED"] = "1"
    return {**keep, **extra}


@pytest.fixture
def pg_database() -> Iterator[str]:
    if not asyncio.run(dbsupport.pg_available(PG_ADMIN_URL)):
        unavailable("PostgreSQL at " + PG_ADMIN_URL)
    name = f"agent_hub_release_{uuid.uuid4().hex[:10]}"
    asyncio.run(dbsupport.pg_create(PG_ADMIN_URL, name))
    # The form operators paste (CloudNativePG's `uri`): the app adds the async driver itself.
    yield "postgresql://" + PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name
    asyncio.run(dbsupport.pg_drop(PG_ADMIN_URL, name))


class Installed:
    """The installed `agent-hub` of one venv, run with one environment."""

    def __init__(self, venv: Path, env: dict[str, str], workdir: Path) -> None:
        self.bin = str(venv / "bin" / "agent-hub")
        self.env = clean_env(env)
        self.workdir = workdir
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.bin, *args], cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def start(self, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.workdir / f"{args[0]}-{len(self.procs)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([self.bin, *args], cwd=self.workdir, env=self.env, stdout=out, stderr=out)
        self.procs.append((proc, log))
        return proc, log

    def serve(self) -> tuple[str, Path]:
        port = free_port()
        proc, log = self.start("serve", "--host", "127.0.0.1", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: ready(base), proc, log, "agent-hub serve: /ready")
        return base, log

    def stop(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for _, log in self.procs)


def ready(base: str) -> bool:
    try:
        return httpx.get(base + "/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(
    check: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, what: str, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc.poll() is not None:
            pytest.fail(f"{what}: exited with {proc.returncode}\n{log.read_text(errors='replace')[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[list[Installed]]:
    """Collects the Installed runners a test makes and stops their processes afterwards."""
    made: list[Installed] = []
    yield made
    for runner in made:
        runner.stop()

"""The `agent-hub` command line, run as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import free_port


def run(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env = {**base, "AGENT_HUB_DATA_DIR": str(data), "AGENT_HUB_REGISTRATION": "claim", **env}
    return subprocess.run(
        [sys.executable, "-m", "agent_hub.cli", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def test_migrate_create_agent_and_claim(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    out = run(tmp_path, "create-agent", "cli_bot", "--type", "claude")
    assert out.returncode == 0, out.stderr
    key = re.search(r"moltbook_sk_[A-Za-z0-9_-]{32}", out.stdout)
    assert key and "claude" in out.stdout
    pending = run(tmp_path, "create-agent", "waiting_bot", "--pending")
    assert pending.returncode == 0 and "pending_claim" in pending.stdout
    claimed = run(tmp_path, "claim", "waiting_bot")
    assert claimed.returncode == 0 and "claimed" in claimed.stdout
    missing = run(tmp_path, "claim", "nobody_here")
    assert missing.returncode == 1 and "Agent not found" in missing.stderr
    dup = run(tmp_path, "create-agent", "cli_bot")
    assert dup.returncode == 1 and "Name already taken" in dup.stderr


def test_serve_applies_migrations_and_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "AGENT_HUB_DATA_DIR": str(tmp_path),
        "AGENT_HUB_AUDIO_ENGINES": "basic",
        "AGENT_HUB_IMAGE_ENGINES": "basic",
    }
    env.pop("DATABASE_URL", None)
    env.pop("AGENT_HUB_PUBLIC_URL", None)
    out = (tmp_path / "serve.out").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_hub.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=out,
    )
    try:
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        resp = httpx.get(f"http://127.0.0.1:{port}/api/v1/submolts/general", timeout=5)
        assert resp.status_code == 200 and resp.json()["submolt"]["name"] == "general"
        assert (tmp_path / "agent_hub.db").exists()
        # No public URL set: the first-run setup link names the port actually served.
        assert f"http://localhost:{port}/setup" in (tmp_path / "serve.out").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        out.close()

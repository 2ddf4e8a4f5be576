"""`agent-hub-agent register | status | run` against the real server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import unique
from hubserver import HubServer

from agent_hub_client import Client

CLI = [sys.executable, "-c", "import sys; from agent_hub_client._cli import main; sys.exit(main())"]


def _env(hub_server: HubServer, key: str | None = None) -> dict[str, str]:
    env = {**os.environ, "AGENT_HUB_URLS": hub_server.url}
    env.pop("AGENT_HUB_API_KEY", None)
    if key:
        env["AGENT_HUB_API_KEY"] = key
    return env


def test_register_status_and_run(hub_server: HubServer, tmp_path: Path) -> None:
    name = unique("cli")
    out = subprocess.run(
        [*CLI, "register", name, "--type", "claude"],
        env=_env(hub_server),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    key = next(line.split()[-1] for line in out.splitlines() if line.startswith("api key:"))
    assert key.startswith("moltbook_sk_") and f"{name} (claude" in out

    status = subprocess.run(
        [*CLI, "status"], env=_env(hub_server, key), capture_output=True, text=True, timeout=60, check=True
    ).stdout
    info = json.loads(status)
    assert info["name"] == name and info["status"] == "claimed" and info["base_url"] == hub_server.url

    (tmp_path / "mybot.py").write_text(
        "from pathlib import Path\n"
        "async def handle(note):\n"
        "    with open(Path(__file__).with_name('seen.txt'), 'a') as fh:\n"
        "        fh.write(f'{note.type} {note.content}\\n')\n"
    )
    proc = subprocess.Popen(
        [*CLI, "run", "mybot:handle", "--mode", "polling", "--poll-interval", "0.2"],
        env=_env(hub_server, key),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with Client(hub_server.url, api_key=key) as me:
            post_id = me.create_post("general", "cli bot", "talk")["post"]["id"]
        with Client(hub_server.url, api_key="") as other:
            other.register(unique("o"))
            other.create_comment(post_id, "hi from the other side")
        seen = tmp_path / "seen.txt"
        deadline = time.monotonic() + 20
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert seen.read_text() == "comment hi from the other side\n"
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0, output


def test_missing_configuration_is_explained(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_HUB_")}
    result = subprocess.run([*CLI, "status"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "AGENT_HUB_URLS" in result.stderr

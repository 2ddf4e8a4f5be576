"""Driving the local rehearsal (deploy/local/up.sh) from tests: start and stop it on free ports,
HTTPS clients that trust its throw-away CA (optionally from another loopback source address,
so NGINX forwards a distinct client IP), WebSocket helpers, and direct looks at each replica,
the database and the S3 server."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL = REPO_ROOT / "deploy" / "local"
PORT_NAMES = ("HTTPS", "API_A", "API_B", "UI", "S3", "WORKER_METRICS")
# Variables of the test process that must not leak into the rehearsal's processes.
FOREIGN = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "ALLOWED_ORIGINS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Rehearsal:
    run: Path
    ports: dict[str, int]
    settings: dict[str, str] = field(default_factory=dict)

    # --- lifecycle -----------------------------------------------------------------------
    def script_env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_HUB_") and k not in FOREIGN}
        env.update({f"REHEARSAL_{name}_PORT": str(port) for name, port in self.ports.items()})
        env["REHEARSAL_RUN_DIR"] = str(self.run)
        pg = os.environ.get("AGENT_HUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
        env["REHEARSAL_PG_URL"] = pg.rsplit("/", 1)[0]
        env.update(extra)
        return env

    def up(self, extra: dict[str, str], timeout: float = 600) -> str:
        proc = subprocess.run(
            [str(LOCAL / "up.sh")],
            env=self.script_env(extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"up.sh failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        for line in (self.run / "env").read_text().splitlines():
            key, _, value = line.partition("=")
            self.settings[key] = value
        return proc.stdout

    def down(self) -> str:
        proc = subprocess.run(
            [str(LOCAL / "down.sh")], env=self.script_env({}), capture_output=True, text=True, timeout=120, check=False
        )
        return proc.stdout + proc.stderr

    # --- addresses -----------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"https://localhost:{self.ports['HTTPS']}"

    @property
    def ws_url(self) -> str:
        return f"wss://localhost:{self.ports['HTTPS']}/api/v1/ws"

    def replica_url(self, replica: str) -> str:
        return f"http://127.0.0.1:{self.ports['API_' + replica.upper()]}"

    @property
    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.run / "tls" / "ca.crt"))

    def transport(self, source: str = "127.0.0.1") -> httpx.HTTPTransport:
        """Connections to NGINX from `source` (any 127.x.y.z is this machine's loopback)."""
        return httpx.HTTPTransport(verify=self.tls, local_address=source)

    def client(self, source: str = "127.0.0.1", **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, transport=self.transport(source), timeout=30, **kw)

    # --- looking inside ---------------------------------------------------------------------
    def pid(self, name: str) -> int:
        for line in (self.run / "pids").read_text().splitlines():
            parts = line.split()
            if parts and parts[0] == name:
                return int(parts[1])
        raise KeyError(name)

    def alive(self, name: str) -> bool:
        """Running (a reaped or zombie process counts as stopped)."""
        try:
            state = Path(f"/proc/{self.pid(name)}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z"

    def signal(self, name: str, sig: signal.Signals) -> None:
        os.kill(self.pid(name), sig)

    def metrics(self, replica: str) -> str:
        return httpx.get(self.replica_url(replica) + "/metrics", timeout=10).text

    def access_log(self) -> list[str]:
        return (self.run / "logs" / "nginx-access.log").read_text().splitlines()

    def sql(self, query: str) -> list[list[str]]:
        url = self.settings["DATABASE_URL"]
        out = subprocess.run(
            ["psql", url, "-AtF", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def agent_hub(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_HUB_") and k not in FOREIGN}
        env.update(self.settings)
        return subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "agent-hub"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def s3_keys(self) -> set[str]:
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=self.settings["S3_ENDPOINT"],
            region_name="us-east-1",
            aws_access_key_id="rehearsal",
            aws_secret_access_key="rehearsal-secret",
        )
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.settings["AGENT_HUB_S3_BUCKET"])
        return {obj["Key"] for page in pages for obj in page.get("Contents", [])}


def upstream_of(line: str) -> str:
    """The replica port(s) NGINX used for one access-log line (`up=127.0.0.1:P, 127.0.0.1:Q`)."""
    match = re.search(r" up=([^ ]+(?:, [^ ]+)*) ups=", line)
    return match.group(1) if match else ""


def ws_connect(reh: Rehearsal, headers: dict[str, str]) -> ClientConnection:
    return connect(reh.ws_url, ssl=reh.tls, additional_headers=headers, open_timeout=15, server_hostname="localhost")


def ws_wait(ws: ClientConnection, want: Callable[[dict[str, Any]], bool], seconds: float, what: str) -> dict[str, Any]:
    """The first event `want` accepts; answers pings; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    seen: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        if event.get("type") == "ping":
            ws.send(json.dumps({"type": "pong"}))
        if want(event):
            return event
        seen.append(str(event.get("type")))
    raise AssertionError(f"no {what} within {seconds}s (saw: {seen})")


def poll(fn: Callable[[], Any], seconds: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(every)

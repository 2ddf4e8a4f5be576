"""A real Agent Hub server on loopback, as a subprocess (so tests can kill and restart it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_available() -> bool:
    try:
        import agent_hub.app  # noqa: F401
    except ImportError:
        return False
    return True


def migrate(data_dir: Path) -> None:
    env = {**os.environ, **base_env(data_dir)}
    subprocess.run([sys.executable, "-m", "agent_hub.cli", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)


def base_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        "AGENT_HUB_DATA_DIR": str(data_dir),
        "AGENT_HUB_REGISTRATION": "open",
        "AGENT_HUB_RATE_LIMITS": "off",
        "AGENT_HUB_PUBLIC_URL": "http://127.0.0.1:8000",
        "AGENT_HUB_IMAGE_ENGINES": "basic",
        "AGENT_HUB_AUDIO_ENGINES": "basic",
        "AGENT_HUB_LOG_LEVEL": "WARNING",
        "AGENT_HUB_ENVIRONMENT": "development",
    }
    env.update(overrides)
    return env


class HubServer:
    """``agent-hub serve`` on 127.0.0.1:<port> with its own (or a shared) SQLite data dir."""

    def __init__(self, data_dir: Path, port: int | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> HubServer:
        env = {**os.environ, **base_env(self.data_dir, AGENT_HUB_MIGRATE_ON_START="false", **self.env)}
        for var in ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT"):
            env.pop(var, None)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent_hub.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: the process dies mid-whatever, like a crashed pod."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


class HangingServer:
    """Accepts TCP connections (kernel backlog) and never answers: every request times out."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.sock.close()


# Not forwarded by the scripted proxy: it speaks plain HTTP only (no WebSocket upgrades).
HOP_BY_HOP = {
    "host",
    "content-length",
    "connection",
    "upgrade",
    "keep-alive",
    "transfer-encoding",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
}


class ScriptedServer:
    """A loopback HTTP server for failure modes a healthy Agent Hub never shows by itself.

    ``GET /health`` answers 200; every other request is answered by ``script(method, path)``
    which returns ``(status, headers, body)`` or ``None`` to hang until the client gives up.
    ``upstream``: forward every other request to a real server first, then apply ``delay``
    before answering (the request was processed, the answer is lost to a client timeout).
    """

    def __init__(self, script=None, upstream: str | None = None, delay: float = 0.0) -> None:  # type: ignore[no-untyped-def]
        import http.server
        import threading

        outer = self
        self.requests: list[tuple[str, str]] = []
        self.script = script
        self.upstream = upstream
        self.delay = delay
        self._stop = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.path == "/health":
                    self._answer(200, {"content-type": "application/json"}, b'{"status":"ok"}')
                    return
                outer.requests.append((self.command, self.path))
                if outer.upstream is not None:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                    resp = httpx.request(self.command, outer.upstream + self.path, headers=headers, content=body)
                    outer._stop.wait(outer.delay)
                    self._answer(resp.status_code, {"content-type": resp.headers.get("content-type", "")}, resp.content)
                    return
                result = outer.script(self.command, self.path) if outer.script else None
                if result is None:
                    outer._stop.wait(30)
                    return
                status, headers, payload = result
                self._answer(status, headers, payload)

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

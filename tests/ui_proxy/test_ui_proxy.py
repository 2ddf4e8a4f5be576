"""The embedded UI proxy: the API forwards non-API paths to a real HTTP server on loopback."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from agent_hub.app import create_app
from agent_hub.config import Settings
from agent_hub.ui_proxy import is_backend_path


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/redirect"):
            self._reply(307, b"", [("Location", "/login?next=%2Fsettings")])
            return
        if self.path.startswith("/cookies"):
            self._reply(200, b"ok", [("Set-Cookie", "a=1; Path=/; HttpOnly"), ("Set-Cookie", "b=2; Path=/")])
            return
        if self.path.startswith("/gzip"):
            raw = gzip.compress(b"<p>compressed page</p>" * 50)
            self._reply(200, raw, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
            return
        if self.path.startswith("/missing"):
            self._reply(404, b"<h1>404</h1>", [("Content-Type", "text/html; charset=utf-8")])
            return
        echo = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        self._reply(
            200,
            json.dumps(echo).encode(),
            [
                ("Content-Type", "application/json"),
                ("Content-Security-Policy", "default-src 'self'; script-src 'nonce-abc' 'strict-dynamic'"),
                ("Cache-Control", "public, max-age=31536000, immutable"),
            ],
        )

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _settings(tmp: Path, upstream: str | None) -> Settings:
    return Settings(
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp / 'ui.db'}",
        rate_limits="off",
        ui_upstream=upstream,
        audio_engines=["basic"],
        image_engines=["basic"],
    )


@pytest.fixture
async def client(tmp_path: Path, upstream: str):  # type: ignore[no-untyped-def]
    app = create_app(_settings(tmp_path, upstream))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        yield c
    await app.state.ui_proxy.aclose()
    await app.state.engine.dispose()


async def test_page_is_forwarded_with_path_query_and_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/post/abc?x=1&y=%20z", headers={"Accept": "text/html", "Cookie": "s=1"})
    assert r.status_code == 200
    echo = r.json()
    assert echo["method"] == "GET"
    assert echo["path"] == "/post/abc?x=1&y=%20z"
    assert echo["headers"]["cookie"] == "s=1"
    assert echo["headers"]["host"] == "localhost:8000"
    assert echo["headers"]["x-forwarded-proto"] == "http"
    assert echo["headers"]["x-forwarded-for"] == "203.0.113.7"
    # the UI's own headers pass through untouched
    assert "nonce-abc" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    # and the API's security headers are added around them
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "max-age=31536000" in r.headers["strict-transport-security"]


async def test_post_body_is_streamed_through(client: httpx.AsyncClient) -> None:
    r = await client.post("/some/form", content=b"hello=world", headers={"Content-Type": "text/plain"})
    assert r.status_code == 200
    assert r.json()["body"] == "hello=world"
    assert r.json()["method"] == "POST"


async def test_redirects_are_returned_not_followed(client: httpx.AsyncClient) -> None:
    r = await client.get("/redirect")
    assert r.status_code == 307
    assert r.headers["location"] == "/login?next=%2Fsettings"


async def test_every_set_cookie_is_preserved(client: httpx.AsyncClient) -> None:
    r = await client.get("/cookies")
    cookies = r.headers.get_list("set-cookie")
    assert cookies == ["a=1; Path=/; HttpOnly", "b=2; Path=/"]


async def test_compressed_body_passes_through_raw(client: httpx.AsyncClient) -> None:
    r = await client.get("/gzip", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.text.startswith("<p>compressed page</p>")  # httpx decoded it: bytes were intact


async def test_no_compression_unless_the_client_asks(client: httpx.AsyncClient) -> None:
    r = await client.get("/echo", headers={"Accept-Encoding": "identity"})
    assert r.json()["headers"]["accept-encoding"] == "identity"


async def test_upstream_status_is_preserved(client: httpx.AsyncClient) -> None:
    r = await client.get("/missing")
    assert r.status_code == 404
    assert r.text == "<h1>404</h1>"


async def test_head_has_no_body(client: httpx.AsyncClient) -> None:
    r = await client.head("/anything")
    assert r.status_code == 200
    assert r.content == b""


async def test_api_paths_are_never_forwarded(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/does-not-exist")
    assert r.status_code == 404
    assert r.json()["success"] is False and r.json()["error"] == "Endpoint not found"
    r = await client.get("/auth/nothing-here")
    assert r.status_code == 404 and r.json()["success"] is False
    # a wrong method on an API path keeps its 405 (the catch-all never shadows it)
    r = await client.put("/api/v1/agents/me", json={})
    assert r.status_code == 405
    # the MCP endpoint is the API's (no key: its 401, not the UI)
    r = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"
    for path in ("/health", "/ready", "/metrics", "/docs"):
        r = await client.get(path, headers={"Accept": "text/html"})
        # answered by the API itself: the upstream's echo (with its own CSP) never shows up
        assert "nonce-abc" not in r.headers.get("content-security-policy", ""), path
        assert '"path"' not in r.text, path


async def test_root_serves_the_ui_to_browsers_and_json_to_clients(client: httpx.AsyncClient) -> None:
    r = await client.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.json()["path"] == "/"  # forwarded
    r = await client.get("/", headers={"Accept": "application/json"})
    assert r.json()["name"] == "Agent Hub"


async def test_unreachable_upstream_is_a_502(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, "http://127.0.0.1:9"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as c:
        r = await c.get("/feed")
    assert r.status_code == 502
    assert "not reachable" in r.text
    await app.state.ui_proxy.aclose()
    await app.state.engine.dispose()


async def test_off_without_upstream(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as c:
        r = await c.get("/feed")
    assert r.status_code == 404
    assert not hasattr(app.state, "ui_proxy")
    await app.state.engine.dispose()


@pytest.mark.parametrize(
    ("path", "backend"),
    [
        ("/api/v1/posts", True),
        ("/api/v1/ws", True),
        ("/auth/login", True),
        ("/health", True),
        ("/ready", True),
        ("/metrics", True),
        ("/docs", True),
        ("/openapi.json", True),
        ("/", False),
        ("/post/123", False),
        ("/_next/static/chunks/a.js", False),
        ("/apiary", False),
        ("/healthy", False),
        ("/authors", False),
    ],
)
def test_backend_paths(path: str, backend: bool) -> None:
    assert is_backend_path(path) is backend

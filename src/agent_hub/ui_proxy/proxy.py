"""A small streaming reverse proxy from the API process to the Next.js server.

One command, one URL: when ``AGENT_HUB_UI_UPSTREAM`` is set (e.g. ``http://127.0.0.1:3000``),
every request that is not the API's (``/api/*``, ``/auth/*``, ``/health``, ``/ready``,
``/metrics``, ``/docs``, ``/openapi.json``) is forwarded to it. Status, headers (every
``Set-Cookie``), and body bytes (still compressed) pass through unchanged; redirects are
returned to the browser, never followed. ``GET /`` goes to the UI when the client asks for
HTML; API clients asking for JSON still get the Moltbook root object.

The proxy is a catch-all route that only *matches* non-API paths, so API paths keep their
own 404/405 answers (with ``Allow``) and are never shadowed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

log = logging.getLogger("agent_hub.ui_proxy")

BACKEND_PREFIXES = ("/api/", "/auth/", "/docs/")
BACKEND_EXACT = frozenset({"/api", "/auth", "/health", "/ready", "/metrics", "/docs", "/openapi.json"})

# RFC 9110 §7.6.1 hop-by-hop fields, plus the ones the proxy recomputes.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
_DROP_REQUEST = _HOP_BY_HOP | {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded"}


def is_backend_path(path: str) -> bool:
    """True for the paths the API itself answers (never forwarded to the UI)."""
    return path in BACKEND_EXACT or path.startswith(BACKEND_PREFIXES)


def _wants_html(scope: Scope) -> bool:
    for key, value in scope.get("headers", []):
        if key == b"accept":
            return b"text/html" in value
    return False


class UIProxyRoute(BaseRoute):
    """Matches every HTTP request outside the API's paths and streams it to the UI server.

    With ``root_only`` it matches just ``GET /`` from browsers (inserted before the API's JSON
    root route)."""

    def __init__(self, proxy: UIProxy, *, root_only: bool = False) -> None:
        self.proxy = proxy
        self.root_only = root_only
        self.path = "/" if root_only else "/{ui_path:path}"
        self.path_format = "ui"  # metrics label
        self.name = "ui_proxy_root" if root_only else "ui_proxy"
        self.include_in_schema = False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        if self.root_only:
            if path == "/" and _wants_html(scope):
                return Match.FULL, {"route": self}
            return Match.NONE, {}
        if is_backend_path(path):
            return Match.NONE, {}
        return Match.FULL, {"route": self}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:  # pragma: no cover - unused
        from starlette.routing import NoMatchFound

        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.proxy(scope, receive, send)


class UIProxy:
    def __init__(self, upstream: str, *, timeout: float = 30.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.upstream,
                follow_redirects=False,
                timeout=httpx.Timeout(self.timeout, connect=5.0),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                trust_env=False,  # never send the UI's traffic through an environment proxy
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _request_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        headers: list[tuple[bytes, bytes]] = []
        has_accept_encoding = False
        host = b""
        for key, value in scope.get("headers", []):
            k = key.lower()
            if k in _DROP_REQUEST:
                continue
            if k == b"accept-encoding":
                has_accept_encoding = True
            if k == b"host":
                host = value
            headers.append((k, value))
        if not has_accept_encoding:
            # Otherwise httpx adds its own, and compressed bytes would reach a client that
            # never asked for them (the body is passed through raw).
            headers.append((b"accept-encoding", b"identity"))
        state = scope.get("state") or {}
        client_ip = state.get("client_ip") or (scope.get("client") or ("",))[0]
        if client_ip:
            headers.append((b"x-forwarded-for", str(client_ip).encode("latin-1")))
        headers.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode("latin-1")))
        if host:
            headers.append((b"x-forwarded-host", host))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        target = scope.get("raw_path") or scope["path"].encode()
        if isinstance(target, bytes):
            target = target.decode("latin-1")
        query = scope.get("query_string", b"")
        url = target + ("?" + query.decode("latin-1") if query else "")

        has_body = method not in ("GET", "HEAD", "OPTIONS")

        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return

        request = self.client.build_request(
            method,
            url,
            headers=self._request_headers(scope),
            content=body() if has_body else None,
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            await _plain(send, 504, "The web UI did not answer in time.")
            return
        except httpx.HTTPError as exc:
            log.warning("ui upstream unreachable", extra={"error": type(exc).__name__})
            await _plain(send, 502, "The web UI is not reachable. Is the Next.js server running?")
            return
        try:
            out = [(k.lower(), v) for k, v in response.headers.raw if k.lower() not in _HOP_BY_HOP]
            await send({"type": "http.response.start", "status": response.status_code, "headers": out})
            if method == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            async for chunk in response.aiter_raw():
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_ui_proxy(app: FastAPI, settings: Any) -> UIProxy | None:
    """Forward non-API requests to ``settings.ui_upstream`` when it is set. Call last."""
    upstream = getattr(settings, "ui_upstream", None)
    if not upstream:
        return None
    proxy = UIProxy(upstream)
    app.router.routes.insert(0, UIProxyRoute(proxy, root_only=True))
    app.router.routes.append(UIProxyRoute(proxy))
    app.state.ui_proxy = proxy

    async def _close(_: FastAPI) -> None:
        await proxy.aclose()

    hooks = getattr(app.state, "shutdown_hooks", None)
    if hooks is not None:
        hooks.append(_close)
    return proxy

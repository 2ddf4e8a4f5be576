"""Pure-ASGI middleware: request context, metrics, security headers, body and type limits,
and the general per-key rate limit with its `X-RateLimit-*` headers.

Pure ASGI (not BaseHTTPMiddleware) keeps the per-request overhead small on hot paths.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_hub import metrics
from agent_hub.http.client_ip import Network, client_ip
from agent_hub.ratelimit import RateLimiter
from agent_hub.ratelimit.profiles import LimitProfile

log = logging.getLogger("agent_hub.http")

API_PREFIXES = ("/api/", "/auth/")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_JSON_TYPES = ("application/json",)
_UPLOAD_TYPES = ("multipart/form-data",)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[Message, Message]:
    raw = orjson.dumps(body)
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    for k, v in (headers or {}).items():
        hdrs.append((k.lower().encode(), v.encode()))
    return (
        {"type": "http.response.start", "status": status, "headers": hdrs},
        {"type": "http.response.body", "body": raw},
    )


async def send_error(send: Send, status: int, error: str, hint: str, code: str, **extra: Any) -> None:
    headers = extra.pop("_headers", None)
    start, body = _json(status, {"success": False, "error": error, "hint": hint, "code": code, **extra}, headers)
    await send(start)
    await send(body)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


class RequestContextMiddleware:
    """Request id, trusted client IP, trailing-slash normalisation, metrics, security headers."""

    def __init__(self, app: ASGIApp, trusted: list[Network], hsts: bool = True) -> None:
        self.app = app
        self.trusted = trusted
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope["path"]
        # Clients that add a trailing slash get the same route, never a redirect.
        if len(path) > 1 and path.endswith("/"):
            scope["path"] = path.rstrip("/") or "/"
            if scope.get("raw_path"):
                scope["raw_path"] = scope["path"].encode()
        rid = headers.get("x-request-id", "")
        if not _REQUEST_ID.match(rid):
            rid = secrets.token_hex(8)
        peer = scope.get("client")
        ip = client_ip(peer[0] if peer else None, headers, self.trusted)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        state["client_ip"] = ip
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        start = time.perf_counter()
        status_holder = [500]
        is_api = scope["path"].startswith(API_PREFIXES) or scope["path"] in ("/health", "/ready")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                raw = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                raw.append((b"x-request-id", rid.encode()))
                if b"x-content-type-options" not in present:
                    raw.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in present:
                    raw.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                if self.hsts:
                    raw.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                if is_api:
                    if b"cache-control" not in present:
                        raw.append((b"cache-control", b"no-store"))
                    if b"content-security-policy" not in present:
                        raw.append((b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"))
                    if b"x-frame-options" not in present:
                        raw.append((b"x-frame-options", b"DENY"))
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(method, template, str(status_holder[0])).inc()
            metrics.HTTP_DURATION.labels(method, template).observe(time.perf_counter() - start)


class BodyLimitMiddleware:
    """Caps request bodies (413) and refuses body types the API does not speak (415).

    JSON bodies are capped at `json_limit`; multipart uploads at `upload_limit` (the media
    domain enforces per-file caps while it streams). The cap holds for chunked bodies too.
    """

    def __init__(self, app: ASGIApp, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        length_header = headers.get("content-length")
        declared = int(length_header) if length_header and length_header.isdigit() else None
        has_body = declared is None and "transfer-encoding" in headers or bool(declared)
        if has_body and ctype not in _JSON_TYPES + _UPLOAD_TYPES:
            await send_error(
                send, 415, "Unsupported media type",
                "Send the request body as application/json (or multipart/form-data for uploads)",
                "UNSUPPORTED_MEDIA_TYPE",
            )
            return
        limit = self.upload_limit if ctype in _UPLOAD_TYPES else self.json_limit
        if declared is not None and declared > limit:
            await send_error(
                send, 413, "Request body too large", f"The limit is {limit} bytes", "PAYLOAD_TOO_LARGE"
            )
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await send_error(
                    send, 413, "Request body too large", f"The limit is {limit} bytes", "PAYLOAD_TOO_LARGE"
                )


class _BodyTooLarge(Exception):
    pass


def subject_for(headers: dict[str, str], ip: str) -> str:
    """Rate-limit subject: the API key (hashed, never stored raw) or the client IP."""
    auth = headers.get("authorization", "")
    parts = auth.split(" ")
    if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1]:
        return "key:" + hashlib.sha256(parts[1].encode()).hexdigest()[:32]
    cookie = headers.get("cookie", "")
    if "agent_hub_session=" in cookie:
        token = cookie.split("agent_hub_session=", 1)[1].split(";", 1)[0]
        return "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "ip:" + ip


class RateLimitMiddleware:
    """General limits on /api/*: reads and writes per key (per IP when anonymous), plus a
    per-IP ceiling. Every API response carries the `X-RateLimit-*` headers."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, profile: LimitProfile) -> None:
        self.app = app
        self.limiter = limiter
        self.profile = profile

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        rule = self.profile.writes if scope["method"] in UNSAFE else self.profile.reads
        if rule is None:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        ip = scope["state"]["client_ip"]
        if self.profile.ip_api is not None:
            ip_decision, _ = await self.limiter.hit(self.profile.ip_api, ip)
            if not ip_decision.allowed:
                await self._refuse(send, ip_decision, "Too many requests from your network")
                return
        decision, _ = await self.limiter.hit(rule, subject_for(headers, ip))
        if not decision.allowed:
            await self._refuse(send, decision, "Rate limit exceeded")
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                if b"x-ratelimit-limit" not in present:
                    message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _refuse(self, send: Send, decision: Any, message: str) -> None:
        metrics.RATE_LIMITED.labels("general").inc()
        await send_error(send, 429, **rate_limit_body(decision, message), _headers=decision.headers())


def rate_limit_body(decision: Any, message: str) -> dict[str, Any]:
    """The 429 superset every known client can read (spec §3.3)."""
    import math
    from datetime import UTC, datetime

    seconds = max(1, math.ceil(decision.retry_after))
    minutes = max(1, math.ceil(seconds / 60))
    return {
        "error": message,
        "hint": f"Try again in {seconds} seconds",
        "code": "RATE_LIMITED",
        "statusCode": 429,
        "message": message,
        "retry_after_seconds": seconds,
        "retry_after_minutes": minutes,
        "retryAfter": seconds,
        "retryAfterMinutes": minutes,
        "remaining": 0,
        "reset_at": datetime.fromtimestamp(decision.reset_at, UTC).isoformat(),
    }

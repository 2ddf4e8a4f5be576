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
from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_hub import metrics, security_events
from agent_hub.http.client_ip import Network, client_ip
from agent_hub.http.credentials import presented
from agent_hub.ratelimit import RateLimiter
from agent_hub.ratelimit.enforce import rate_limit_body
from agent_hub.ratelimit.profiles import LimitProfile
from agent_hub.ratelimit.tiers import TierMemo
from agent_hub.refusals import STATUSES as REFUSED
from agent_hub.refusals import RefusalLog

log = logging.getLogger("agent_hub.http")

API_PREFIXES = ("/api/", "/auth/")
OWNER_PREFIXES = ("/auth/", "/api/v1/keys", "/api/v1/claims")  # the owner's session-only routes
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


class BodyTooLarge(Exception):
    """The request body grew past its cap while it was read."""


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The request's whole body, or None when the client went away before its end.
    Past `limit` bytes (when given) it stops reading and raises BodyTooLarge."""
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        received += len(chunk)
        if limit is not None and received > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` for the app behind a middleware that has read the body already: the body
    once, as one message, then whatever the real `receive` says (the disconnect)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


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
        started = [False]
        is_api = scope["path"].startswith(API_PREFIXES) or scope["path"] in ("/health", "/ready")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                started[0] = True
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
        except Exception:
            # Answered here, inside this middleware, so a 500 still carries the security
            # headers and the request id; the traceback goes to the structured log only.
            log.exception("unhandled error", extra={"request_id": rid, "path": scope["path"]})
            if started[0]:
                raise  # the response had begun: nothing sane can be sent any more
            await send_error(
                send_wrapper,
                500,
                "Internal server error",
                "Please try again later",
                "INTERNAL_ERROR",
                detail="internal error",
                request_id=rid,
            )
        finally:
            template = route_template(scope)
            method = scope["method"]
            status = status_holder[0]
            metrics.HTTP_REQUESTS.labels(method, template, str(status)).inc()
            if status in (401, 403) and scope["path"].startswith(OWNER_PREFIXES):
                security_events.record(
                    "owner_denied", status=status, method=method, route=template, ip=ip, request_id=rid
                )
            metrics.HTTP_DURATION.labels(method, template).observe(time.perf_counter() - start)


def route_template(scope: Scope) -> str:
    """The matched route's template with its router prefix, e.g. /api/v1/agents/{name}/follow.

    Routers are included with a prefix, and the matched route only knows its own template;
    prefixes are literal segments, so the leading extra segments of the real path are it.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not template:
        return "unmatched"
    if ":path}" in template:
        return template
    path_segments = scope["path"].strip("/").split("/")
    template_segments = template.strip("/").split("/")
    extra = len(path_segments) - len(template_segments)
    if extra <= 0:
        return template
    return "/" + "/".join(path_segments[:extra] + template_segments)


class BodyLimitMiddleware:
    """Caps request bodies (413) and refuses body types the API does not speak (415):
    multipart only where an upload route takes it, JSON everywhere else.

    JSON bodies are capped at `json_limit`; multipart uploads at `upload_limit` (the media
    domain enforces per-file caps while it streams). The cap holds for chunked bodies too.
    """

    def __init__(self, app: ASGIApp, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self._upload_routes: list[Any] | None = None

    def _takes_uploads(self, scope: Scope) -> bool:
        """Whether a route that reads multipart bodies (one marked `accepts_multipart`: the
        media upload routes) serves this method and path; every other route takes JSON only."""
        if self._upload_routes is None:
            app = scope.get("app")
            routes = getattr(getattr(app, "router", None), "routes", [])
            self._upload_routes = [
                r for r in iter_route_contexts(routes) if getattr(r.original_route, "accepts_multipart", False)
            ]
        return any(
            scope["method"] in route.methods and route.path_regex.match(scope["path"]) for route in self._upload_routes
        )

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
                send,
                415,
                "Unsupported media type",
                "Send the request body as application/json (or multipart/form-data for uploads)",
                "UNSUPPORTED_MEDIA_TYPE",
            )
            return
        if has_body and ctype in _UPLOAD_TYPES and not self._takes_uploads(scope):
            await send_error(
                send,
                415,
                "Unsupported media type",
                f"{scope['method']} {scope['path']} takes an application/json body",
                "UNSUPPORTED_MEDIA_TYPE",
            )
            return
        limit = self.upload_limit if ctype in _UPLOAD_TYPES else self.json_limit
        if declared is not None and declared > limit:
            await send_error(send, 413, "Request body too large", f"The limit is {limit} bytes", "PAYLOAD_TOO_LARGE")
            return
        if declared is not None:
            # The server enforces Content-Length framing, so the declared size is the size.
            await self.app(scope, receive, send)
            return
        # Chunked body of unknown size: buffer it up to the cap, then replay it. Raising from
        # inside receive() would be swallowed by the framework's body parser.
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge:
            await send_error(send, 413, "Request body too large", f"The limit is {limit} bytes", "PAYLOAD_TOO_LARGE")
            return
        if body is None:
            return  # client went away
        await self.app(scope, replay_body(body, receive), send)


def subject_for(headers: dict[str, str], ip: str) -> str:
    """Rate-limit subject: the API key (hashed, never stored raw) or the client IP."""
    credential = presented(headers)
    if credential is not None and credential.token:
        return "key:" + hashlib.sha256(credential.token.encode()).hexdigest()[:32]
    cookie = headers.get("cookie", "")
    if "agent_hub_session=" in cookie:
        token = cookie.split("agent_hub_session=", 1)[1].split(";", 1)[0]
        return "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "ip:" + ip


async def general_limit(
    limiter: RateLimiter,
    profile: LimitProfile,
    scope: Scope,
    send: Send,
    write: bool,
    tiers: TierMemo | None = None,
) -> list[tuple[bytes, bytes]] | None:
    """The general per-key (per-IP when anonymous) read or write limit and the per-IP ceiling;
    a credential whose trust tier is known (ratelimit/tiers.py) meets its tier's rule instead,
    without the per-IP ceiling. Returns the `X-RateLimit-*` headers for the response, or None
    after sending the 429."""
    if profile.reads is None and profile.writes is None:
        return []
    ip = scope["state"]["client_ip"]
    subject = subject_for(_headers(scope), ip)
    scope["state"]["rate_limit_subject"] = subject  # identity tells `tiers` about it
    own = tiers.rules(subject) if tiers is not None and not subject.startswith("ip:") else None
    if own is not None:
        rule = own.writes if write else own.reads
        if rule is None:
            return []
    else:
        rule = profile.writes if write else profile.reads
        if rule is None:
            return []
        if profile.ip_api is not None:
            ip_decision, _ = await limiter.hit(profile.ip_api, ip)
            if not ip_decision.allowed:
                await _refuse(send, ip_decision, "Too many requests from your network", scope, profile.ip_api.name)
                return None
    decision, _ = await limiter.hit(rule, subject)
    if not decision.allowed:
        await _refuse(send, decision, "Rate limit exceeded", scope, rule.name)
        return None
    return [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]


async def _refuse(send: Send, decision: Any, message: str, scope: Scope, limit: str) -> None:
    state = scope["state"]
    security_events.rate_limited(  # one `general` label for the metric, as before; the rule in the log
        "general",
        rule=limit,
        ip=state["client_ip"],
        request_id=state["request_id"],
        path=scope["path"],
        method=scope["method"],
    )
    body = rate_limit_body(decision, message)
    body.pop("success")
    await send_error(send, 429, **body, _headers=decision.headers())


class RateLimitMiddleware:
    """General limits on /api/*: reads and writes per key (per IP when anonymous), plus a
    per-IP ceiling. Every API response carries the `X-RateLimit-*` headers. A 401, 403 or 429
    that names an agent is written to the refusal log (refusals.py) for the activity view."""

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        profile: LimitProfile,
        tiers: TierMemo | None = None,
        refusals: RefusalLog | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.profile = profile
        self.tiers = tiers
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        extra = await general_limit(self.limiter, self.profile, scope, send, scope["method"] in UNSAFE, self.tiers)
        if extra is None:
            await self._general_refusal(scope)
            return
        if not extra and self.refusals is None:
            await self.app(scope, receive, send)
            return
        refused: dict[str, Any] = {}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                if extra:
                    present = {k.lower() for k, _ in message.get("headers", [])}
                    if b"x-ratelimit-limit" not in present:
                        message["headers"] = list(message.get("headers", [])) + extra
                if message["status"] in REFUSED and _caller(scope) is not None:
                    refused.update(status=message["status"], body=b"")
            elif refused and message["type"] == "http.response.body":
                refused["body"] += message.get("body", b"")[:4096]
            await send(message)

        await self.app(scope, receive, send_wrapper)
        if refused and self.refusals is not None:
            try:
                reason = str(orjson.loads(refused["body"]).get("error") or "")
            except (orjson.JSONDecodeError, AttributeError):
                reason = ""
            await self.refusals.record(
                _caller(scope) or "",
                refused["status"],
                scope["method"],
                route_template(scope),
                reason,
                key_prefix=(scope.get("state") or {}).get("caller_key_prefix"),
            )

    async def _general_refusal(self, scope: Scope) -> None:
        """The general limit's 429 came before identity: the credential's agent, if identity
        has seen it on this process."""
        subject = scope["state"].get("rate_limit_subject")
        agent_id = self.tiers.agent_of(subject) if self.tiers is not None and subject else None
        if agent_id is not None and self.refusals is not None:
            await self.refusals.record(agent_id, 429, scope["method"], scope["path"], "Rate limit exceeded")


def _caller(scope: Scope) -> str | None:
    """The agent a response concerns: the resolved caller, or the agent identity found behind a
    refused credential (a revoked key, a suspended agent)."""
    found = (scope.get("state") or {}).get("caller_agent_id")  # set by identity (agents/identity.py)
    return str(found) if found else None

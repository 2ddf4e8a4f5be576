"""Run one REST call in process, as the MCP caller, through the whole app.

An MCP tool is a REST request the model asked for: it is sent through the app's own ASGI
stack (admission, rate limits, body limits, idempotency, identity, validation, the error
envelope, metrics, the read cache) with the caller's `Authorization` header, so every rule
the REST API applies holds for MCP by construction and stays in one place (decision 0018).
Nothing leaves the process: the request never touches a socket.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.types import ASGIApp, Message, Scope

API_PREFIX = "/api/v1"
# Headers of the MCP request that the REST call keeps: who is calling and from where (the
# trusted-proxy client IP is derived from them again), and the request id for the logs.
FORWARDED = frozenset(
    {b"authorization", b"x-api-key", b"user-agent", b"x-forwarded-for", b"cf-connecting-ip", b"x-real-ip"}
)


@dataclass(frozen=True)
class Caller:
    """The MCP request's credential and origin, replayed on every REST call it makes."""

    headers: tuple[tuple[bytes, bytes], ...]
    client: tuple[str, int] | None
    scheme: str
    server: tuple[str, int | None] | None

    @classmethod
    def from_scope(cls, scope: Scope) -> Caller:
        headers = tuple((k, v) for k, v in scope.get("headers", []) if k in FORWARDED)
        # The MCP request's id (RequestContextMiddleware) ties the REST calls' log lines to it.
        request_id = scope.get("state", {}).get("request_id") or secrets.token_hex(8)
        headers += ((b"x-request-id", str(request_id).encode()),)
        return cls(headers, scope.get("client"), scope.get("scheme", "http"), scope.get("server"))


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def call(
    app: ASGIApp,
    caller: Caller,
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    json: Any = None,
    multipart: tuple[bytes, str] | None = None,
) -> Reply:
    """`path` is relative to /api/v1. `multipart`: an encoded body and its content type."""
    params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
    body = b""
    headers = list(caller.headers)
    if multipart is not None:
        body, content_type = multipart
        headers.append((b"content-type", content_type.encode()))
    elif json is not None:
        body = orjson.dumps(json)
        headers.append((b"content-type", b"application/json"))
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    full_path = API_PREFIX + path
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": caller.scheme,
        "path": full_path,
        "raw_path": full_path.encode(),
        "query_string": urlencode(params).encode(),
        "root_path": "",
        "headers": headers,
        "client": caller.client,
        "server": caller.server,
        "state": {},
    }
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 500
    response_headers: dict[str, str] = {}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            for key, value in message.get("headers", []):
                response_headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    raw = b"".join(chunks)
    try:
        parsed = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        parsed = {"success": False, "error": "Unexpected response", "code": "INTERNAL_ERROR"}
    if not isinstance(parsed, dict):
        parsed = {"items": parsed}
    return Reply(status, parsed, response_headers)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

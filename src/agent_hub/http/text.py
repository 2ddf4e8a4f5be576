"""Text the stores cannot hold is refused at the door, for every route at once.

PostgreSQL refuses NUL in `text` and the drivers refuse lone UTF-16 surrogates (Python's JSON
parser turns `"\\ud800"` into one); SQLite takes both. Either way a field with them must not
reach a query: it would be a 500 on one engine and stored garbage on the other. So every API
request is checked before routing: the decoded path and query (NUL, invalid UTF-8) and, for
JSON bodies, every string and key (NUL, lone surrogates, invalid UTF-8). A hit is a 400 in
the envelope, and nothing runs.

JSON bodies are parsed once more here with orjson (microseconds for the 1 MB cap), which
refuses invalid UTF-8 and lone surrogates itself; other JSON errors are left to the route's
own parser and its "Invalid JSON body".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from agent_hub.http.middleware import API_PREFIXES, UNSAFE, read_body, replay_body, send_error

HINT = "Text fields must be valid UTF-8 without NUL characters or unpaired surrogates"


def url_problem(raw_path: bytes, query: bytes) -> str | None:
    """Why the path or query string cannot be used, or None."""
    for part in (raw_path, query):
        if b"%" not in part and b"\x00" not in part:
            continue
        decoded = unquote_to_bytes(part.replace(b"+", b" "))
        if b"\x00" in decoded:
            return "NUL character in the URL"
        try:
            decoded.decode("utf-8")
        except UnicodeDecodeError:
            return "Invalid UTF-8 in the URL"
    return None


def json_problem(body: bytes) -> str | None:
    """Why a JSON body's text cannot be stored, or None (also when it is not JSON at all)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if "surrogate" in message or "UTF-8" in message:
            return "Invalid UTF-8 or an unpaired surrogate in the body"
        return None
    if b"\\u0000" in body and _has_nul(data):
        return "NUL character in the body"
    return None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in k or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class TextGuardMiddleware:
    """400 for API requests whose URL or JSON body holds text no store can keep."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        problem = url_problem(scope.get("raw_path") or scope["path"].encode("utf-8", "replace"), scope["query_string"])
        if problem is not None:
            await send_error(send, 400, problem, HINT, "INVALID_TEXT")
            return
        if scope["method"] not in UNSAFE or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        # The body is capped already (BodyLimitMiddleware, outside this one).
        body = await read_body(receive)
        if body is None:
            return  # client went away
        problem = json_problem(body) if body else None
        if problem is not None:
            await send_error(send, 400, problem, HINT, "INVALID_TEXT")
            return
        await self.app(scope, replay_body(body, receive), send)


def _is_json(scope: Scope) -> bool:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
    return False

"""`/mcp`: the streamable HTTP transport, authenticated by the agent's API key.

Every request is served on its own, by whichever replica receives it (decision 0018):

- POST goes to the SDK's session manager in stateless mode. A 2026-07-28 request is
  self-contained by design. A handshake-era `initialize` is answered with a fresh
  `Mcp-Session-Id` so the client opens its GET stream; later requests may carry it to any
  replica, where it only names the session's resource subscriptions (kept in Valkey).
- GET with a session id is that session's stream, served here (streams.py); DELETE ends the
  session (forgets its subscriptions).

The MCP request is limited like a REST read, except `tools/call` and `resources/read`, whose
REST calls are limited themselves (dispatch.py).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from starlette.types import Message, Receive, Scope, Send

from agent_hub.http.middleware import general_limit, send_error
from agent_hub.mcp.calls import AGENT_STATE_KEY
from agent_hub.mcp.runtime import SESSION_HEADER, TOKEN_STATE_KEY, McpRuntime
from agent_hub.mcp.streams import INBOX_URI, StreamClosed, StreamLimit, resource_updated, sse_message
from agent_hub.ratelimit import RateLimiter
from agent_hub.ratelimit.profiles import LimitProfile
from agent_hub.realtime import auth as realtime_auth

# Limited by the REST calls they make instead (one rule, one place).
DISPATCHING = frozenset({"tools/call", "resources/read"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: Scope) -> str | None:
    header = _header(scope, b"authorization")
    if header:
        parts = header.split(" ")
        if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1]:
            return parts[1]
        return None
    return _header(scope, b"x-api-key")


class McpEndpoint:
    def __init__(
        self,
        manager: StreamableHTTPSessionManager,
        runtime: McpRuntime,
        limiter: RateLimiter,
        profile: LimitProfile,
        max_body: int,
    ) -> None:
        self.manager = manager
        self.runtime = runtime
        self.limiter = limiter
        self.profile = profile
        self.max_body = max_body
        self.route: Any = None  # the Route serving this endpoint (install.py): metrics label it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.route is not None:
            scope["route"] = self.route
        token = _bearer(scope)
        if token is None:
            await _unauthorized(send, "No authorization token provided", "Add 'Authorization: Bearer YOUR_API_KEY'")
            return
        agent = await realtime_auth.by_key(self.runtime.sessionmaker, token)
        if agent is None:
            spent = await realtime_auth.failed_key(scope["app"].state, scope, token)
            if spent is not None:
                body = spent.body()
                del body["success"]
                error, hint, code = body.pop("error"), body.pop("hint"), body.pop("code")
                await send_error(send, 429, error, hint, code, _headers=spent.headers, **body)
                return
            await _unauthorized(send, "Invalid or expired token", "Check your API key or register for a new one")
            return
        state = scope.setdefault("state", {})
        state[AGENT_STATE_KEY] = {"id": agent.id, "name": agent.name, "type": agent.type}
        state[TOKEN_STATE_KEY] = token
        method = scope["method"]
        if method == "GET":
            await self._stream(scope, receive, send, agent.id, token)
        elif method == "DELETE":
            session = _header(scope, SESSION_HEADER.encode())
            if session:
                await self.runtime.subscriptions.drop(agent.id, session)
            await send_json(send, 200, {"success": True})
        else:
            await self._post(scope, receive, send)

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_body:
                await send_error(
                    send, 413, "Request body too large", f"The limit is {self.max_body} bytes", "PAYLOAD_TOO_LARGE"
                )
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        methods = _methods(b"".join(m.get("body", b"") for m in messages))
        if methods - DISPATCHING:
            if await general_limit(self.limiter, self.profile, scope, send, write=False) is None:
                return
        version = _header(scope, b"mcp-protocol-version")
        opens_session = "initialize" in methods and version not in MODERN_PROTOCOL_VERSIONS
        session_id = uuid.uuid4().hex.encode()

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        async def send_with_session(message: Message) -> None:
            if opens_session and message["type"] == "http.response.start" and message["status"] < 400:
                message["headers"] = [*message.get("headers", []), (SESSION_HEADER.encode(), session_id)]
            await send(message)

        await self.manager.handle_request(scope, replay, send_with_session)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, agent_id: str, token: str) -> None:
        """A handshake-era session's GET stream: `resources/updated` for its subscriptions."""
        session = _header(scope, SESSION_HEADER.encode())
        if not session:
            await send_error(
                send,
                405,
                "Method not allowed",
                "Open the GET stream with the Mcp-Session-Id of an initialized session",
                "METHOD_NOT_ALLOWED",
                _headers={"Allow": "POST, DELETE"},
            )
            return
        if "text/event-stream" not in (_header(scope, b"accept") or ""):
            await send_error(send, 406, "Not acceptable", "Accept: text/event-stream", "NOT_ACCEPTABLE")
            return
        if await general_limit(self.limiter, self.profile, scope, send, write=False) is None:
            return
        subscriptions = self.runtime.subscriptions
        try:
            async with self.runtime.streams.follow(agent_id, self.runtime.key_check_for(token)) as follower:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"text/event-stream"),
                            (b"cache-control", b"no-store"),
                            (b"x-accel-buffering", b"no"),
                            (SESSION_HEADER.encode(), session.encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b": stream open\r\n\r\n", "more_body": True})
                await _pump(receive, send, follower, subscriptions, agent_id, session)
        except StreamLimit:
            await send_error(
                send,
                429,
                "Too many open streams for this agent",
                "Close another stream or WebSocket first",
                "RATE_LIMITED",
            )


async def _pump(receive: Receive, send: Send, follower: Any, subscriptions: Any, agent_id: str, session: str) -> None:
    """Write events until the client leaves (its disconnect closes the follower) or the stream
    must end."""

    async def watch_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        follower.close()

    watcher = asyncio.create_task(watch_disconnect())
    try:
        while True:
            if await follower.changed():
                if await subscriptions.has(agent_id, session, INBOX_URI):
                    await send(
                        {
                            "type": "http.response.body",
                            "body": sse_message(resource_updated(INBOX_URI)),
                            "more_body": True,
                        }
                    )
            else:
                await subscriptions.touch(agent_id, session)
                await send({"type": "http.response.body", "body": b": ping\r\n\r\n", "more_body": True})
    except (StreamClosed, OSError):
        pass
    finally:
        watcher.cancel()
    try:
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        pass


def _methods(body: bytes) -> set[str]:
    """JSON-RPC method names in a request body (a message or a batch); notifications and
    responses count as nothing."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"(unparsable)"}
    items = parsed if isinstance(parsed, list) else [parsed]
    names: set[str] = set()
    for item in items:
        if isinstance(item, dict) and "id" in item and isinstance(item.get("method"), str):
            names.add(item["method"])
    return names


async def _unauthorized(send: Send, error: str, hint: str) -> None:
    await send_error(send, 401, error, hint, "UNAUTHORIZED", _headers={"WWW-Authenticate": 'Bearer realm="agent-hub"'})


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    raw = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": raw})

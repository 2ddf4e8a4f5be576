"""What a tool handler uses: the caller's REST calls, and results in the MCP shape.

A result carries the compact JSON twice, as MCP asks of structured results: as
`structuredContent` for clients that read it and as one text block (no indentation) for the
model. A refused REST call becomes a tool error whose text is the Moltbook error, hint and
retry time, so the model can recover the way a REST client would.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent

from agent_hub.mcp import dispatch, shaping

# Names a principal in the MCP request's ASGI scope state (set by transport.py).
AGENT_STATE_KEY = "mcp_agent"


def _scope(ctx: Context[Any] | ServerRequestContext[Any, Any]) -> dict[str, Any]:
    """The MCP HTTP request's ASGI scope, from a tool's `Context` or a low-level handler's."""
    request = ctx.request if isinstance(ctx, ServerRequestContext) else ctx.request_context.request
    if request is None:
        raise RuntimeError("MCP tools are served over HTTP only")
    return request.scope  # type: ignore[no-any-return]


def caller_agent(ctx: Context[Any] | ServerRequestContext[Any, Any]) -> dict[str, Any]:
    """`{id, name, type}` of the authenticated caller (transport.py resolved the key)."""
    return _scope(ctx)["state"][AGENT_STATE_KEY]  # type: ignore[no-any-return]


class Rest:
    """The REST API as the MCP caller sees it (paths relative to /api/v1)."""

    def __init__(self, ctx: Context[Any] | ServerRequestContext[Any, Any]) -> None:
        scope = _scope(ctx)
        self.app = scope["app"]
        self.caller = dispatch.Caller.from_scope(scope)

    async def get(self, path: str, **query: Any) -> dispatch.Reply:
        return await dispatch.call(self.app, self.caller, "GET", path, query=query)

    async def post(self, path: str, json: Any = None) -> dispatch.Reply:
        return await dispatch.call(self.app, self.caller, "POST", path, json=json if json is not None else {})

    async def delete(self, path: str) -> dispatch.Reply:
        return await dispatch.call(self.app, self.caller, "DELETE", path)

    async def post_form(self, path: str, fields: dict[str, str], file: tuple[str, bytes] | None) -> dispatch.Reply:
        return await dispatch.call(self.app, self.caller, "POST", path, multipart=encode_multipart(fields, file))


def ok(data: dict[str, Any]) -> CallToolResult:
    text = orjson.dumps(data).decode()
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def failed(reply: dispatch.Reply) -> CallToolResult:
    data = shaping.error(reply.status, reply.body, reply.headers)
    return CallToolResult(content=[TextContent(type="text", text=orjson.dumps(data).decode())], is_error=True)


def refused(error: str, hint: str) -> CallToolResult:
    data = {"error": error, "hint": hint, "code": "BAD_REQUEST", "status": 400}
    return CallToolResult(content=[TextContent(type="text", text=orjson.dumps(data).decode())], is_error=True)


def encode_multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> tuple[bytes, str]:
    """multipart/form-data with text `fields` and an optional file part `media` (name, bytes)."""
    boundary = "agenthub" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n"
        )
    if file is not None:
        filename, content = file
        safe = "".join(c for c in filename if c.isalnum() or c in "._-")[:100] or "upload"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="{safe}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

"""What the MCP endpoint shares across requests in one process (`app.state.mcp`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent_hub.mcp.streams import KeyCheck, Streams, Subscriptions
from agent_hub.realtime import auth as realtime_auth

if TYPE_CHECKING:  # the SDK is loaded with the first MCP request (install.py)
    from mcp.server.context import ServerRequestContext

SESSION_HEADER = "mcp-session-id"
TOKEN_STATE_KEY = "mcp_token"


@dataclass
class McpRuntime:
    sessionmaker: Any
    subscriptions: Subscriptions
    streams: Streams

    def key_check_for(self, token: str) -> KeyCheck:
        """Still valid? (not revoked, agent not suspended) — asked by open streams on each heartbeat."""

        async def check() -> bool:
            return await realtime_auth.by_key(self.sessionmaker, token) is not None

        return check

    def key_check(self, ctx: ServerRequestContext[Any, Any]) -> KeyCheck:
        request = ctx.request
        if request is None:
            raise RuntimeError("MCP streams are served over HTTP only")
        return self.key_check_for(request.scope["state"][TOKEN_STATE_KEY])


def runtime_of(ctx: ServerRequestContext[Any, Any]) -> McpRuntime:
    request = ctx.request
    if request is None:
        raise RuntimeError("MCP is served over HTTP only")
    return request.scope["app"].state.mcp  # type: ignore[no-any-return]

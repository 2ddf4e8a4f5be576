"""Mounts `/mcp` on the app. The MCP SDK is loaded on the first MCP request, not at startup.

Importing the SDK (its protocol models) takes about as long as importing the rest of the app,
and most API processes never serve MCP: loading it lazily keeps process start (rollouts,
readiness) as fast as it was. The session manager then runs in a task of its own until the app
shuts down: its task group must be entered and left by one task.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Any

from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from agent_hub.config import Settings
from agent_hub.mcp.runtime import McpRuntime
from agent_hub.mcp.streams import Streams, Subscriptions

PATH = "/mcp"


class LazyEndpoint:
    """The `/mcp` route's endpoint: builds the MCP server and starts its session manager on the
    first request (once, under a lock), then hands every request to it."""

    def __init__(self, app: FastAPI, runtime: McpRuntime, max_body: int) -> None:
        self.app = app
        self.runtime = runtime
        self.max_body = max_body
        self.route: Route | None = None
        self._endpoint: Any = None
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._holder: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._endpoint is None:
            async with self._lock:
                if self._endpoint is None:
                    self._endpoint = await self._start()
        await self._endpoint(scope, receive, send)

    async def _start(self) -> Any:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

        from agent_hub.mcp import server
        from agent_hub.mcp.transport import McpEndpoint

        mcp_server = server.build()
        manager = StreamableHTTPSessionManager(
            app=mcp_server._lowlevel_server,
            stateless=True,  # every request on its own: any replica can serve it
            max_request_body_size=self.max_body,
        )
        started = asyncio.Event()

        async def hold() -> None:
            async with manager.run():
                started.set()
                await self._stopping.wait()

        self._holder = asyncio.get_running_loop().create_task(hold(), name="mcp-session-manager")
        ready = asyncio.ensure_future(started.wait())
        await asyncio.wait({self._holder, ready}, return_when=asyncio.FIRST_COMPLETED)
        if self._holder.done():
            ready.cancel()
            self._holder.result()  # raises what kept the manager from starting
        state = self.app.state
        endpoint = McpEndpoint(manager, self.runtime, state.limiter, state.limits, self.max_body)
        endpoint.route = self.route
        return endpoint

    async def stop(self) -> None:
        self.runtime.streams.close_all()
        self._stopping.set()
        if self._holder is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._holder, 5)


def install_mcp(app: FastAPI, settings: Settings) -> None:
    # A media file travels base64-encoded inside the JSON-RPC body: allow the largest upload.
    largest_upload = max(settings.media_image_max_bytes, settings.media_audio_max_bytes)
    max_body = math.ceil(largest_upload * 4 / 3) + 1024 * 1024
    runtime = McpRuntime(
        sessionmaker=app.state.sessionmaker,
        subscriptions=Subscriptions(app.state.redis),
        streams=Streams(app.state.realtime, settings.ws_heartbeat_seconds),
    )
    app.state.mcp = runtime
    endpoint = LazyEndpoint(app, runtime, max_body)
    endpoint.route = Route(PATH, endpoint=endpoint, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    app.router.routes.append(endpoint.route)

    async def stop(app: FastAPI) -> None:
        await endpoint.stop()

    app.state.shutdown_hooks.append(stop)

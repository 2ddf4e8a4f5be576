"""Mounts `/mcp` on the app and runs the SDK's session manager with the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import math

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.routing import Route

from agent_hub.config import Settings
from agent_hub.mcp import server
from agent_hub.mcp.runtime import McpRuntime
from agent_hub.mcp.streams import Streams, Subscriptions
from agent_hub.mcp.transport import McpEndpoint

PATH = "/mcp"


def install_mcp(app: FastAPI, settings: Settings) -> None:
    # A media file travels base64-encoded inside the JSON-RPC body: allow the largest upload.
    largest_upload = max(settings.media_image_max_bytes, settings.media_audio_max_bytes)
    max_body = math.ceil(largest_upload * 4 / 3) + 1024 * 1024
    mcp_server = server.build()
    manager = StreamableHTTPSessionManager(
        app=mcp_server._lowlevel_server,
        stateless=True,  # every request on its own: any replica can serve it
        max_request_body_size=max_body,
    )
    runtime = McpRuntime(
        sessionmaker=app.state.sessionmaker,
        subscriptions=Subscriptions(app.state.redis),
        streams=Streams(app.state.realtime, settings.ws_heartbeat_seconds),
    )
    app.state.mcp = runtime
    endpoint = McpEndpoint(manager, runtime, app.state.limiter, app.state.limits, max_body)
    route = Route(PATH, endpoint=endpoint, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    endpoint.route = route
    app.router.routes.append(route)
    # The manager's task group must be entered and left by one task; the app's startup and
    # shutdown hooks may run in different ones, so a task of its own holds it.
    started, stopping = asyncio.Event(), asyncio.Event()
    holder: list[asyncio.Task[None]] = []

    async def hold() -> None:
        async with manager.run():
            started.set()
            await stopping.wait()

    async def start(app: FastAPI) -> None:
        task = asyncio.create_task(hold(), name="mcp-session-manager")
        holder.append(task)
        ready = asyncio.ensure_future(started.wait())
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()  # raises what stopped the manager from starting

    async def stop(app: FastAPI) -> None:
        runtime.streams.close_all()
        stopping.set()
        for task in holder:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)

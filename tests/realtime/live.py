"""Real uvicorn servers on loopback ports (httpx's ASGI transport has no WebSockets).

Each server runs in its own thread with its own event loop and its own app instance; tests
talk to it over real sockets with httpx and the `websockets` client.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from agent_hub.app import create_app
from tests.conftest import base_settings
from tests.support import db as dbsupport


class LiveServer:
    def __init__(self, settings: Any) -> None:
        self.app = create_app(settings)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            ws="websockets-sansio",
            lifespan="on",
            ws_ping_interval=None,
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class LiveAgent:
    def __init__(self, client: httpx.AsyncClient, name: str, key: str, agent_id: str) -> None:
        self.client, self.name, self.key, self.id = client, name, key, agent_id
        self.headers = {"Authorization": f"Bearer {key}"}

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers=self.headers, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers, **kw)


_CLIENTS: list[httpx.AsyncClient] = []


async def register(base: str, name: str | None = None) -> LiveAgent:
    client = httpx.AsyncClient(base_url=base, timeout=10)
    _CLIENTS.append(client)
    name = name or f"agent_{uuid.uuid4().hex[:8]}"
    resp = await client.post("/api/v1/agents/register", json={"name": name})
    assert resp.status_code == 201, resp.text
    agent = resp.json()["agent"]
    return LiveAgent(client, name, agent["api_key"], agent["id"])


async def ws_connect(url: str, key: str | None = None, **kw: Any) -> ClientConnection:
    headers = {"Authorization": f"Bearer {key}"} if key else None
    return await connect(url, additional_headers=headers, open_timeout=20, **kw)


async def recv(ws: ClientConnection, within: float = 2.0, skip: tuple[str, ...] = ("ping",)) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no message")
        message = orjson.loads(await asyncio.wait_for(ws.recv(), remaining))
        if message.get("type") not in skip:
            return message


async def recv_type(ws: ClientConnection, kind: str, within: float = 2.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        message = await recv(ws, max(0.01, deadline - time.monotonic()))
        if message.get("type") == kind:
            return message


@contextlib.asynccontextmanager
async def live_servers(
    database_url: str, tmp_path: Path, count: int = 1, **overrides: Any
) -> AsyncIterator[list[LiveServer]]:
    """Start `count` servers on the (emptied) test database; all share its data."""
    await dbsupport.truncate_all(database_url)
    servers = [LiveServer(base_settings(database_url, tmp_path, **overrides)) for _ in range(count)]
    try:
        for server in servers:
            await asyncio.to_thread(server.start)
        yield servers
    finally:
        while _CLIENTS:
            await _CLIENTS.pop().aclose()
        for server in servers:
            await asyncio.to_thread(server.stop)

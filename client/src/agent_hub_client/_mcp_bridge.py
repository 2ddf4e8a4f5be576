"""``agent-hub-agent mcp``: a stdio MCP server that relays to the hub's ``/mcp`` endpoint.

For MCP clients that only launch stdio servers. Each JSON-RPC line read from stdin is POSTed
to ``<url>/mcp`` with the agent's key; JSON and event-stream answers are written to stdout, one
message a line. After a handshake-era ``initialize`` the bridge also holds the session's GET
stream, so server notifications (an inbox change) reach the client.

The hub serves every request on its own (no state bound to one replica), so the bridge fails
over between the given URLs like the SDK does: a URL that refuses the connection cools down
and the next one is used, with the same session. A request is re-sent to another URL only
when it was never delivered (connection refused or timed out while connecting).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx

from ._pool import EndpointPool, normalize_base_url

__all__ = ["McpBridge", "run_bridge"]

log = logging.getLogger("agent_hub_client.mcp")

UNDELIVERED = (httpx.ConnectError, httpx.ConnectTimeout)
PROTOCOL_META_KEY = "io.modelcontextprotocol/protocolVersion"
Writer = Callable[[dict[str, Any]], None]


def endpoint_base(url: str) -> str:
    url = url.strip().rstrip("/")
    if url.endswith("/mcp"):
        url = url[: -len("/mcp")]
    return normalize_base_url(url)


class McpBridge:
    def __init__(self, urls: Sequence[str], api_key: str, write: Writer, *, timeout: float = 30.0) -> None:
        self.pool = EndpointPool([endpoint_base(u) for u in urls], cooldown=30.0)
        self.write = write
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(timeout, read=None),
        )
        self._stream: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            if self.session_id is not None:
                await self._send("DELETE", None)
        await self.http.aclose()

    # --- client -> hub -------------------------------------------------------------------
    def handle_line(self, line: bytes) -> None:
        """One message from stdin; answered in the background (requests may overlap)."""
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            self.write({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
            return
        task = asyncio.create_task(self.forward(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def forward(self, message: Any) -> None:
        request_id = message.get("id") if isinstance(message, dict) and "method" in message else None
        try:
            async with self._post(message) as response:
                await self._relay(response, message, request_id)
        except Exception as exc:  # the hub is unreachable: the client must not wait forever
            log.warning("mcp bridge: %s", exc)
            if request_id is not None:
                self._error(request_id, -32603, f"Agent Hub unreachable: {exc}")

    def _headers(self, message: Any) -> dict[str, str]:
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        version = self.protocol_version
        params = message.get("params") if isinstance(message, dict) else None
        meta = params.get("_meta") if isinstance(params, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get(PROTOCOL_META_KEY), str):
            version = meta[PROTOCOL_META_KEY]
        if version and not (isinstance(message, dict) and message.get("method") == "initialize"):
            headers["MCP-Protocol-Version"] = version
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        return headers

    @contextlib.asynccontextmanager
    async def _post(self, message: Any) -> AsyncIterator[httpx.Response]:
        body = json.dumps(message).encode()
        headers = self._headers(message)
        async with self._failover("POST", headers, body) as response:
            yield response

    async def _send(self, method: str, headers: dict[str, str] | None) -> None:
        async with self._failover(method, {**(headers or {}), **self._headers(None)}, None):
            pass

    @contextlib.asynccontextmanager
    async def _failover(
        self, method: str, headers: dict[str, str], body: bytes | None
    ) -> AsyncIterator[httpx.Response]:
        last: Exception | None = None
        tried: set[int] = set()
        candidates = [self.pool.active] if self.pool.active is not None else []
        candidates += [i for i in self.pool.order() if i not in candidates]
        for index in candidates:
            tried.add(index)
            request = self.http.build_request(method, self.pool.urls[index] + "/mcp", headers=headers, content=body)
            try:
                response = await self.http.send(request, stream=True)
            except UNDELIVERED as exc:
                log.info("mcp bridge: %s unreachable, trying the next URL", self.pool.urls[index])
                self.pool.mark_failed(index)
                last = exc
                continue
            self.pool.activate(index)
            try:
                yield response
            finally:
                await response.aclose()
            return
        raise last or RuntimeError("no URL to try")

    # --- hub -> client -------------------------------------------------------------------
    async def _relay(self, response: httpx.Response, message: Any, request_id: Any) -> None:
        if isinstance(message, dict) and message.get("method") == "initialize" and response.status_code < 400:
            self.session_id = response.headers.get("mcp-session-id") or self.session_id
        if response.status_code == 202:
            return
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("text/event-stream"):
            async for payload in _sse_messages(response):
                self._note_initialized(payload)
                self.write(payload)
            return
        raw = await response.aread()
        try:
            payload = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            payload = None
        if isinstance(payload, (dict, list)) and (isinstance(payload, list) or "jsonrpc" in payload):
            self._note_initialized(payload)
            self.write(payload)  # type: ignore[arg-type]
        elif request_id is not None:
            error = payload.get("error") if isinstance(payload, dict) else None
            hint = payload.get("hint") if isinstance(payload, dict) else None
            text = " ".join(str(p) for p in (error or f"HTTP {response.status_code}", hint) if p)
            self._error(request_id, -32001 if response.status_code == 401 else -32603, text)

    def _note_initialized(self, payload: Any) -> None:
        result = payload.get("result") if isinstance(payload, dict) else None
        if isinstance(result, dict) and isinstance(result.get("protocolVersion"), str) and "serverInfo" in result:
            self.protocol_version = result["protocolVersion"]
            if self.session_id and self._stream is None:
                self._stream = asyncio.create_task(self._hold_stream())

    async def _hold_stream(self) -> None:
        """The session's GET stream, re-opened (on any URL) whenever it drops."""
        delay = 0.5
        while True:
            try:
                headers = {**self._headers(None), "Accept": "text/event-stream"}
                async with self._failover("GET", headers, None) as response:
                    if response.status_code != 200:
                        log.info("mcp bridge: no event stream (HTTP %s)", response.status_code)
                        return
                    delay = 0.5
                    async for payload in _sse_messages(response):
                        self.write(payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("mcp bridge: event stream dropped (%s); reopening", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    def _error(self, request_id: Any, code: int, message: str) -> None:
        self.write({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})


async def _sse_messages(response: httpx.Response) -> AsyncIterator[Any]:
    """The JSON payloads of an event stream's `message` events (comments and pings skipped)."""
    data: list[str] = []
    event = "message"
    async for line in response.aiter_lines():
        if line == "":
            if data and event == "message":
                with contextlib.suppress(json.JSONDecodeError):
                    yield json.loads("\n".join(data))
            data, event = [], "message"
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line.startswith("event:"):
            event = line[6:].strip()


async def run_bridge(urls: Sequence[str], api_key: str) -> int:
    """Serve stdin/stdout until stdin closes."""
    out = sys.stdout.buffer

    def write(payload: dict[str, Any]) -> None:
        out.write(json.dumps(payload, separators=(",", ":")).encode() + b"\n")
        out.flush()

    bridge = McpBridge(urls, api_key, write)
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.buffer.readline)
            if not line:
                break
            if line.strip():
                bridge.handle_line(line)
        # stdin closed: let answers in flight finish briefly, then leave.
        pending = [t for t in bridge._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=5)
    finally:
        await bridge.aclose()
    return 0

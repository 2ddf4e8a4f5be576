"""An MCP client (the official SDK's) for an agent, against a live server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import orjson
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

LEGACY, MODERN = "legacy", "2026-07-28"


@contextlib.asynccontextmanager
async def mcp_client(
    url: str, key: str, mode: str = LEGACY, transport: httpx2.AsyncBaseTransport | None = None, **kw: Any
) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx2.AsyncClient(headers=headers, timeout=10, transport=transport) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode, cache=None, **kw) as client:
            yield client


def data(result: CallToolResult) -> Any:
    """The tool's JSON (its one text block), asserting the call succeeded."""
    assert not result.is_error, result.content
    return orjson.loads(result.content[0].text)  # type: ignore[union-attr]


def error(result: CallToolResult) -> Any:
    assert result.is_error, result.content
    return orjson.loads(result.content[0].text)  # type: ignore[union-attr]

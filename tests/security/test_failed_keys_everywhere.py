"""A wrong key costs the same everywhere a key is accepted: the REST API, a WebSocket handshake,
a WebSocket auth message and the MCP endpoint log it as a `bad_key` security event and spend
one shared budget per client address (20 a minute under the moltbook profile); once it is
spent, each of them refuses further wrong keys from that address, while right keys still work."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.realtime.live import live_servers, recv_type, register, ws_connect

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28"}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


async def _refused_auth_message(url: str, key: str) -> int | None:
    async with await ws_connect(url) as ws:
        await ws.send(orjson.dumps({"type": "auth", "api_key": key}).decode())
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await ws.recv()
    return info.value.rcvd.code if info.value.rcvd is not None else None


async def test_wrong_keys_on_sockets_and_mcp_spend_the_api_budget(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path, rate_limits="moltbook") as (server,):
        alice = await register(server.base, "alice")
        budget = 20
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            for i in range(7):
                with pytest.raises(InvalidStatus):
                    await ws_connect(server.ws_url, f"moltbook_sk_wrong{i}")
            for i in range(7):
                assert await _refused_auth_message(server.ws_url, f"moltbook_sk_nope{i}") == 4401
            for i in range(budget - 14):
                r = await http.post("/mcp", json=LIST_TOOLS, headers={**MCP_HEADERS, "Authorization": f"Bearer bad{i}"})
                assert r.status_code == 401, r.text

            # Spent: the REST API and the MCP endpoint answer 429, a socket is refused.
            r = await http.get("/api/v1/agents/me", headers={"Authorization": "Bearer moltbook_sk_one_more"})
            assert r.status_code == 429 and r.json()["code"] == "RATE_LIMITED"
            r = await http.post("/mcp", json=LIST_TOOLS, headers={**MCP_HEADERS, "Authorization": "Bearer again"})
            assert r.status_code == 429 and r.json()["code"] == "RATE_LIMITED", r.text
            assert int(r.headers["retry-after"]) >= 1
            with pytest.raises(InvalidStatus):
                await ws_connect(server.ws_url, "moltbook_sk_still_wrong")

            # The right key is still served, over each of them.
            async with await ws_connect(server.ws_url, alice.key) as ws:
                assert (await recv_type(ws, "hello"))["agent"]["name"] == "alice"
            r = await http.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {alice.key}"})
            assert r.status_code == 200

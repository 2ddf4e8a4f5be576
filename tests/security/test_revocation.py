"""Revocation reaches open channels within a second, on every replica (SECURITY rows 10, 17,
18, 20): two API servers share one Valkey; the owner acts on one, the sockets sit on the other.

Close codes (docs/realtime.md): 4401 the credential is gone (key revoked or rotated, session
ended), 4403 the agent was disabled or suspended.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.auth.support import FAST, FakeClock, Owner, make_owner
from tests.conftest import HubFactory
from tests.realtime.live import LiveServer, live_servers, recv, register, ws_connect

ORIGIN = "http://localhost:8000"  # the test settings' public URL


async def _closed(ws: ClientConnection, within: float = 1.0) -> int:
    """The close code the server sends within `within` seconds (messages before it skipped)."""
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("the socket stayed open")
        try:
            await asyncio.wait_for(ws.recv(), remaining)
        except ConnectionClosed as exc:
            assert exc.rcvd is not None
            return exc.rcvd.code


class OwnerOn:
    """The owner's browser session, used against a live server."""

    def __init__(self, server: LiveServer, cookie: str) -> None:
        self.cookie = cookie
        self.client = httpx.AsyncClient(
            base_url=server.base,
            timeout=10,
            headers={"X-Requested-With": "agent-hub", "Origin": ORIGIN},
            cookies={"agent_hub_session": cookie},
        )

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        resp = await self.client.request(method, path, **kw)
        assert resp.status_code < 300, resp.text
        return resp


async def _owner(make_hub: HubFactory) -> Owner:
    hub = await make_hub(**FAST)  # in process, on the same database: only to run the setup
    return await make_owner(hub, clock=FakeClock(datetime.now(UTC)))


async def _key_id(owner: OwnerOn, agent_id: str) -> str:
    agents = (await owner.request("GET", "/api/v1/keys")).json()["agents"]
    agent = next(a for a in agents if a["id"] == agent_id)
    return str(next(k["id"] for k in agent["keys"] if k["revoked_at"] is None))


async def _timed(name: str, ws: ClientConnection, action: Any, code: int) -> None:
    """Run the owner's `action`; the socket must close with `code` within a second of its answer
    (the commit). Prints both latencies (shown with -s)."""
    start = time.monotonic()
    await action
    answered = time.monotonic()
    assert await _closed(ws) == code
    now = time.monotonic()
    after, total = (now - answered) * 1000, (now - start) * 1000
    print(f"revocation {name}: closed {after:.0f} ms after the answer, {total:.0f} ms after the request")


@pytest.mark.parametrize(("action", "code"), [("revoke", 4401), ("rotate", 4401), ("disable", 4403)])
async def test_an_agent_socket_closes_on_every_replica(
    database_url: str, tmp_path: Path, redis_url: str, make_hub: HubFactory, action: str, code: int
) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url, **FAST) as (one, two):
        owner = OwnerOn(one, (await _owner(make_hub)).browser.cookie() or "")
        agent = await register(one.base)
        bystander = await register(one.base)
        ws = await ws_connect(two.ws_url, agent.key)
        other = await ws_connect(two.ws_url, bystander.key)
        assert (await recv(ws))["type"] == "hello" and (await recv(other))["type"] == "hello"
        key_id = await _key_id(owner, agent.id)
        if action == "revoke":
            call = owner.request("DELETE", f"/api/v1/keys/{key_id}")
        elif action == "rotate":
            call = owner.request("POST", f"/api/v1/keys/{key_id}/rotate")
        else:
            call = owner.request("POST", f"/api/v1/keys/agents/{agent.id}/disable")
        await _timed(action, ws, call, code)
        # Only that agent's channel closed; the credential no longer opens one.
        await other.send('{"type": "ping"}')
        assert (await recv(other))["type"] == "pong"
        with pytest.raises(InvalidStatus):  # refused at the handshake
            await ws_connect(two.ws_url, agent.key)
        await other.close()
        await owner.client.aclose()


async def test_an_owner_socket_closes_on_logout_and_session_revocation(
    database_url: str, tmp_path: Path, redis_url: str, make_hub: HubFactory
) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url, **FAST) as (one, two):
        signed_in = await _owner(make_hub)
        second = await signed_in.login()  # a second device: a second session
        first = OwnerOn(one, signed_in.browser.cookie() or "")
        other_cookie = second.cookies.get("agent_hub_session") or ""
        device = OwnerOn(one, other_cookie)

        async def owner_socket(cookie: str) -> ClientConnection:
            ws = await connect(
                two.ws_url, origin=ORIGIN, additional_headers={"Cookie": f"agent_hub_session={cookie}"}, open_timeout=20
            )
            assert (await recv(ws))["type"] == "hello"
            return ws

        # "Log out other sessions" from the first device closes the second device's socket.
        ws = await owner_socket(other_cookie)
        mine = await owner_socket(first.cookie)
        await _timed("revoke-others", ws, first.request("POST", "/auth/sessions/revoke-others"), 4401)
        await mine.send('{"type": "ping"}')
        assert (await recv(mine))["type"] == "pong"  # the caller's own socket stays
        # Logout closes the socket opened with that session.
        await _timed("logout", mine, first.request("POST", "/auth/logout"), 4401)
        await device.client.aclose()
        await first.client.aclose()


@pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")
async def test_an_mcp_stream_ends_on_every_replica(
    database_url: str, tmp_path: Path, redis_url: str, make_hub: HubFactory
) -> None:
    """The MCP event stream follows the same signal as the sockets: it ends within a second of
    the revocation, not at its next heartbeat (20 s)."""
    from tests.mcp.support import mcp_client
    from tests.mcp.test_notifications import INBOX, _stream_opened

    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url, **FAST) as (one, two):
        owner = OwnerOn(two, (await _owner(make_hub)).browser.cookie() or "")
        agent = await register(one.base)
        async with mcp_client(one.base + "/mcp", agent.key) as client:
            await client.subscribe_resource(INBOX)
            await _stream_opened(one, agent.id)
            key_id = await _key_id(owner, agent.id)
            await owner.request("DELETE", f"/api/v1/keys/{key_id}")
            start = time.monotonic()
            while any(f.agent_id == agent.id for f in one.app.state.mcp.streams.open):
                assert time.monotonic() - start < 1.0, "the MCP stream stayed open"
                await asyncio.sleep(0.01)
            print(f"revocation mcp stream: ended {(time.monotonic() - start) * 1000:.0f} ms after the answer")
        await owner.client.aclose()

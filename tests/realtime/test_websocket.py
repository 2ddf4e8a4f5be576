"""The realtime stream over real sockets: delivery within a second, cross-replica fan-out via
Redis, resume without loss or duplicates, auth rules, caps, slow and idle clients."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.realtime.live import live_servers, recv, recv_type, register, ws_connect


async def _post_and_comment(author, commenter, text="hello"):  # type: ignore[no-untyped-def]
    p = (await author.post("/api/v1/posts", json={"submolt": "general", "title": "T", "content": "c"})).json()["post"]
    return p, await commenter.post(f"/api/v1/posts/{p['id']}/comments", json={"content": text})


async def test_reply_reaches_author_within_a_second(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        alice, bob = await register(server.base, "alice"), await register(server.base, "bob")
        p = (await alice.post("/api/v1/posts", json={"submolt": "general", "title": "T", "content": "c"})).json()[
            "post"
        ]
        c = (await alice.post(f"/api/v1/posts/{p['id']}/comments", json={"content": "mine"})).json()["comment"]
        async with await ws_connect(server.ws_url, alice.key) as ws:
            hello = await recv(ws)
            assert hello["type"] == "hello" and hello["agent"]["name"] == "alice" and hello["unread_count"] == 0
            started = time.monotonic()
            r = await bob.post(f"/api/v1/posts/{p['id']}/comments", json={"content": "a reply", "parent_id": c["id"]})
            assert r.status_code == 201
            update = await recv_type(ws, "inbox_update", within=1.0)
            assert time.monotonic() - started < 1.0
            assert update["unread_count"] == 1 and update["latest"]["type"] == "reply"
            assert update["latest"]["from"]["name"] == "bob" and update["latest"]["content"] == "a reply"
            assert update["last_id"] == update["latest"]["id"]
            # Marking read changes the inbox too: a counts-only update.
            await alice.post("/api/v1/inbox/read-all")
            update = await recv_type(ws, "inbox_update")
            assert update["unread_count"] == 0 and update["latest"] is None


async def test_two_instances_share_redis(database_url: str, tmp_path: Path, redis_url: str) -> None:
    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url) as (one, two):
        alice, bob = await register(one.base, "alice"), await register(two.base, "bob")
        async with await ws_connect(one.ws_url, alice.key) as ws:
            await recv_type(ws, "hello")
            await ws.send(orjson.dumps({"type": "subscribe", "submolt": "*"}).decode())
            await recv_type(ws, "subscribed")
            # bob writes through the other instance
            p, r = await _post_and_comment(bob, bob)
            created = await recv_type(ws, "post_created", within=2)
            assert created["post"]["id"] == p["id"] and created["post"]["author"]["name"] == "bob"
            await ws.send(orjson.dumps({"type": "subscribe", "post_id": p["id"]}).decode())
            await recv_type(ws, "subscribed")
            r = await bob.post(f"/api/v1/posts/{p['id']}/comments", json={"content": "hey @alice"})
            assert r.status_code == 201
            seen: dict[str, dict] = {}
            while len(seen) < 2:
                message = await recv(ws, within=1.0)
                if message["type"] in ("inbox_update", "comment_created"):
                    seen.setdefault(message["type"], message)
            update = seen["inbox_update"]
            assert update["latest"]["type"] == "mention" and update["latest"]["from"]["name"] == "bob"
            assert seen["comment_created"]["comment"]["content"] == "hey @alice"


async def test_resume_delivers_missed_in_order_once(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        alice, bob = await register(server.base, "alice"), await register(server.base, "bob")
        p = (await alice.post("/api/v1/posts", json={"submolt": "general", "title": "T", "content": "c"})).json()[
            "post"
        ]
        async with await ws_connect(server.ws_url, alice.key) as ws:
            last_id = (await recv_type(ws, "hello"))["last_id"]
        for i in range(3):  # while disconnected
            assert (await bob.post(f"/api/v1/posts/{p['id']}/comments", json={"content": f"m{i}"})).status_code == 201
        async with await ws_connect(server.ws_url, alice.key) as ws:
            await recv_type(ws, "hello")
            await ws.send(orjson.dumps({"type": "resume", "last_id": last_id}).decode())
            got = [await recv_type(ws, "inbox_update") for _ in range(3)]
            assert [g["latest"]["content"] for g in got] == ["m0", "m1", "m2"]
            assert [g["last_id"] for g in got] == sorted(g["last_id"] for g in got)
            # a repeated resume sends nothing twice; a new one arrives once
            await ws.send(orjson.dumps({"type": "resume", "last_id": last_id}).decode())
            await bob.post(f"/api/v1/posts/{p['id']}/comments", json={"content": "m3"})
            nxt = await recv_type(ws, "inbox_update")
            while nxt["latest"] is None:
                nxt = await recv_type(ws, "inbox_update")
            assert nxt["latest"]["content"] == "m3"
            with pytest.raises(TimeoutError):
                extra = await recv_type(ws, "inbox_update", within=0.5)
                assert extra["latest"] is None  # only counts-only updates may follow
                raise TimeoutError
        # ?last_id= on connect (not a secret) works too
        async with await ws_connect(server.ws_url + f"?last_id={last_id}", alice.key) as ws:
            got = [await recv_type(ws, "inbox_update") for _ in range(4)]
            assert [g["latest"]["content"] for g in got] == ["m0", "m1", "m2", "m3"]


async def test_auth_rules(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path, ws_auth_timeout_seconds=0.5) as (server,):
        alice = await register(server.base, "alice")
        with pytest.raises(InvalidStatus):
            await ws_connect(server.ws_url, "moltbook_sk_wrong")
        with pytest.raises(InvalidStatus):  # keys never in the URL
            await ws_connect(server.ws_url + f"?api_key={alice.key}")
        async with await ws_connect(server.ws_url) as ws:  # first-message auth
            await ws.send(orjson.dumps({"type": "auth", "api_key": alice.key}).decode())
            assert (await recv_type(ws, "hello"))["agent"]["name"] == "alice"
        async with await ws_connect(server.ws_url) as ws:
            await ws.send(orjson.dumps({"type": "auth", "api_key": "nope"}).decode())
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await ws.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == 4401
        async with await ws_connect(server.ws_url) as ws:  # silence: dropped after the window
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await asyncio.wait_for(ws.recv(), 3)
            assert info.value.rcvd is not None and info.value.rcvd.code == 4408


async def test_connection_cap_heartbeat_and_idle(database_url: str, tmp_path: Path) -> None:
    # The idle window leaves room for a stalled event loop in this shared test process (a full
    # garbage collection late in the suite): a1 must have had a ping before it can be idle.
    async with live_servers(
        database_url, tmp_path, ws_max_connections_per_agent=2, ws_heartbeat_seconds=0.2, ws_idle_timeout_seconds=1.5
    ) as (server,):
        alice = await register(server.base, "alice")
        a1, a2 = await ws_connect(server.ws_url, alice.key), await ws_connect(server.ws_url, alice.key)
        await recv_type(a1, "hello"), await recv_type(a2, "hello")
        a3 = await ws_connect(server.ws_url, alice.key)
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await asyncio.wait_for(a3.recv(), 3)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4429
        # a1 answers pings and stays; a2 stays silent and is dropped as idle
        ping = await recv(a1, skip=())
        assert ping["type"] == "ping"
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            await a1.send('{"type": "pong"}')
            await asyncio.sleep(0.1)
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await asyncio.wait_for(a2.recv(), 3)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4000
        await a1.send('{"type": "ping"}')
        assert (await recv_type(a1, "pong"))["type"] == "pong"
        await a1.close()
        # the freed slots can be used again
        async with await ws_connect(server.ws_url, alice.key) as a4:
            await recv_type(a4, "hello")


async def test_slow_consumer_is_dropped_without_blocking_others() -> None:
    """A full queue or a stuck send drops that connection; offering never waits."""
    from types import SimpleNamespace

    from agent_hub.config import Settings
    from agent_hub.realtime.connection import SLOW, Connection

    class StuckSocket:
        async def send_text(self, text: str) -> None:
            await asyncio.sleep(3600)

    hub = SimpleNamespace(settings=Settings(ws_queue_size=3, ws_send_timeout_seconds=0.1))
    agent = SimpleNamespace(id="a1")
    slow, fast = Connection(hub, StuckSocket(), agent), Connection(hub, StuckSocket(), agent)  # type: ignore[arg-type]
    started = time.monotonic()
    for i in range(4):
        slow.offer({"type": "comment_created", "n": i})
    assert time.monotonic() - started < 0.05 and slow.closing is not None and slow.closing[0] == SLOW
    fast.offer({"type": "comment_created"})
    assert fast.closing is None
    await asyncio.wait_for(fast.writer(), 2)  # the stuck send times out instead of hanging
    assert fast.closing is not None and fast.closing[0] == SLOW


async def test_busy_thread_reaches_every_subscriber(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        alice, bob = await register(server.base, "alice"), await register(server.base, "bob")
        p = (await bob.post("/api/v1/posts", json={"submolt": "general", "title": "T", "content": "c"})).json()["post"]
        clients = [await ws_connect(server.ws_url, bob.key), await ws_connect(server.ws_url, alice.key)]
        for ws in clients:
            await recv_type(ws, "hello")
            await ws.send(orjson.dumps({"type": "subscribe", "post_id": p["id"]}).decode())
            await recv_type(ws, "subscribed")
        for i in range(20):
            assert (await alice.post(f"/api/v1/posts/{p['id']}/comments", json={"content": f"c{i}"})).status_code == 201
        for ws in clients:
            got = [(await recv_type(ws, "comment_created"))["comment"]["content"] for _ in range(20)]
            assert got == [f"c{i}" for i in range(20)]
            await ws.close()


def test_cookie_origin_check() -> None:
    from agent_hub.config import Settings
    from agent_hub.realtime.auth import origin_allowed

    settings = Settings(public_url="https://hub.example.com", allowed_origins=["https://ui.example.com"])
    assert origin_allowed(settings, "https://hub.example.com")
    assert origin_allowed(settings, "https://UI.example.com")
    assert not origin_allowed(settings, "https://evil.example.com")
    assert not origin_allowed(settings, "null")
    assert not origin_allowed(settings, None)

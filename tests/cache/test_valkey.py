"""The read caches' own Valkey connection (src/agent_hub/cache/valkey.py), against the real
server: on uvloop as `agent-hub serve` runs it, with credentials and a database number from the
URL, pipelined replies in order, a lost connection and a server that never answers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import uvloop
from redis.asyncio import Redis

from agent_hub.cache.valkey import ThroughClient, Valkey, ValkeyError
from agent_hub.cache.version import Versions


def _on_uvloop(test: Callable[[], Awaitable[None]]) -> None:
    """The server's event loop (uvicorn picks uvloop): its transports differ from asyncio's."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(test())


def test_versions_round_trip_on_uvloop(redis_url: str) -> None:
    async def scenario() -> None:
        redis = Redis.from_url(redis_url)
        versions = Versions(redis)
        try:
            tag = "post:" + uuid.uuid4().hex
            before = await versions.read([tag])
            if before is None:  # a fresh Valkey: the first read sets the epoch
                before = await versions.read([tag])
            assert before is not None and before.tags[tag] == 0
            published = versions.bump({tag})
            assert published is not None
            await published  # the publication is done when it resolves
            after = await versions.read([tag])
            assert after is not None and after.epoch == before.epoch
            assert after.tags[tag] > before.gen and not after.valid([tag], before.epoch, before.gen)
            assert int(await redis.get("agent_hub:tag:" + tag)) == after.tags[tag]  # the same server and database
        finally:
            versions.close()
            await redis.aclose()

    _on_uvloop(scenario)


async def test_credentials_and_database_come_from_the_url(redis_url: str) -> None:
    admin = Redis.from_url(redis_url)
    user, password = "hubtest" + uuid.uuid4().hex[:8], uuid.uuid4().hex
    await admin.execute_command("ACL", "SETUSER", user, "on", ">" + password, "~*", "+@all")
    server, db = redis_url.rsplit("/", 1)
    other_db = 14 if db != "14" else 13
    other = Redis.from_url(f"{server}/{other_db}")
    client = Redis.from_url(server.replace("redis://", f"redis://{user}:{password}@") + f"/{other_db}")
    wrong = Redis.from_url(server.replace("redis://", f"redis://{user}:not-{password}@") + f"/{other_db}")
    valkey, refused = Valkey.for_client(client), Valkey.for_client(wrong)
    key = "agent_hub:test:" + uuid.uuid4().hex
    try:
        assert await valkey.call("SET", key, "x", "EX", 30) == b"OK"
        assert await other.get(key) == b"x"
        assert await admin.get(key) is None  # not the URL's other database
        with pytest.raises(ValkeyError):
            await refused.call("GET", key)
    finally:
        valkey.close()
        refused.close()
        await admin.execute_command("ACL", "DELUSER", user)
        await other.delete(key)
        for c in (admin, other, client, wrong):
            await c.aclose()


async def test_pipelined_replies_go_to_their_own_commands(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    valkey = Valkey.for_client(redis)
    keys = [f"agent_hub:test:{uuid.uuid4().hex}" for _ in range(50)]
    try:
        await asyncio.gather(*(valkey.call("SET", k, i, "EX", 30) for i, k in enumerate(keys)))
        replies = await asyncio.gather(*(valkey.call("GET", k) for k in keys), valkey.call("MGET", *keys))
        assert replies[:-1] == [str(i).encode() for i in range(50)]
        assert replies[-1] == [str(i).encode() for i in range(50)]
        with pytest.raises(ValkeyError):  # an error reply fails its own command only
            await valkey.call("INCR", keys[0] + "x", "too", "many")
        assert await valkey.call("GET", keys[1]) == b"1"
    finally:
        valkey.close()
        await redis.delete(*keys)
        await redis.aclose()


async def test_a_lost_connection_fails_what_was_in_flight_then_reconnects(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    valkey = Valkey.for_client(redis)
    try:
        client_id = await valkey.call("CLIENT", "ID")
        blocked = valkey.call("BLPOP", "agent_hub:test:" + uuid.uuid4().hex, 5)  # waits on the server
        quiet = valkey.call("PING", quiet="test: the connection went away")
        assert await redis.execute_command("CLIENT", "KILL", "ID", client_id) == 1  # only this connection
        with pytest.raises(ValkeyError):
            await blocked
        assert await quiet is None  # a quiet command logs instead of failing
        assert await valkey.call("PING") == b"PONG"  # connected again
    finally:
        valkey.close()
        await redis.aclose()


async def test_a_server_that_never_answers_is_given_up() -> None:
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # reads nothing, answers nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    valkey = Valkey({"host": "127.0.0.1", "port": port, "db": 3}, timeout=0.3)  # its SELECT is never answered either
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        with pytest.raises(ValkeyError):
            await valkey.call("PING")
        assert loop.time() - started < 2
        versions: Any = Versions(None)
        versions.valkey = valkey
        assert await versions.read(["post:a"]) is None  # read without the caches, no error
    finally:
        valkey.close()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_tls_options_of_their_own_go_through_the_redis_client(redis_url: str) -> None:
    tls = Redis.from_url("rediss://127.0.0.1:6379/0?ssl_cert_reqs=none")
    try:
        assert isinstance(Valkey.for_client(tls), ThroughClient)  # a private CA, no verification...
        assert isinstance(Valkey.for_client(Redis.from_url("rediss://127.0.0.1:6379/0")), Valkey)
    finally:
        await tls.aclose()
    redis = Redis.from_url(redis_url)
    versions: Any = Versions(None)
    versions.valkey = ThroughClient(redis)  # the same versions, through the client
    try:
        tag = "post:" + uuid.uuid4().hex
        before = await versions.read([tag]) or await versions.read([tag])
        assert before is not None
        published = versions.bump({tag})
        assert published is not None
        await published
        after = await versions.read([tag])
        assert after is not None and not after.valid([tag], before.epoch, before.gen)
        with pytest.raises(ValkeyError):
            await versions.valkey.call("INCR", "too", "many")
    finally:
        await redis.aclose()

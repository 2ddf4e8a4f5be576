"""Idempotency-Key on the create endpoints, through the HTTP API, on both engines."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from agent_hub.db.base import utcnow
from agent_hub.idempotency import store
from agent_hub.idempotency.middleware import request_hash, scoped_key_hash
from agent_hub.idempotency.models import IdempotencyKey
from tests.conftest import Actor, Hub

API = "/api/v1"


def post_body(title: str = "Hello", content: str = "Body") -> dict[str, str]:
    return {"submolt": "general", "title": title, "content": content}


async def create_post(actor: Actor, key: str | None, **body: str) -> object:
    headers = {"Idempotency-Key": key} if key else {}
    return await actor.post(f"{API}/posts", json=post_body(**body), headers=headers)


async def post_count(actor: Actor) -> int:
    resp = await actor.get(f"{API}/posts", params={"author": actor.name, "sort": "new", "limit": 100})
    assert resp.status_code == 200, resp.text
    return len(resp.json()["posts"])


async def rows(hub: Hub) -> list[IdempotencyKey]:
    async with hub.app.state.sessionmaker() as db:
        return list((await db.execute(select(IdempotencyKey))).scalars())


async def test_same_key_replays_the_first_result_and_creates_nothing(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    first = await create_post(me, key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await create_post(me, key)
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["content-type"].startswith("application/json")
    assert await post_count(me) == 1
    me_resp = await me.get(f"{API}/agents/me")
    assert me_resp.json()["agent"]["posts_count"] == 1


async def test_keys_are_scoped_per_caller(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    key = "shared-key-123"
    a = await create_post(alice, key)
    b = await create_post(bob, key)
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["post"]["id"] != b.json()["post"]["id"]
    assert await post_count(alice) == 1 and await post_count(bob) == 1


async def test_reused_key_with_a_different_body_is_400(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    assert (await create_post(me, key, title="One")).status_code == 201
    resp = await create_post(me, key, title="Two")
    assert resp.status_code == 400
    body = resp.json()
    assert body["success"] is False and body["code"] == "idempotency_key_reused"
    assert body["error"] and body["hint"]
    assert await post_count(me) == 1


async def test_without_a_key_nothing_changes(hub: Hub) -> None:
    me = await hub.register()
    assert (await create_post(me, None)).status_code == 201
    assert (await create_post(me, None)).status_code == 201
    assert await post_count(me) == 2
    assert await rows(hub) == []


async def test_errors_are_not_stored_and_the_key_can_be_retried(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    bad = await me.post(
        f"{API}/posts",
        json={"submolt": "no-such-submolt", "title": "x", "content": "y"},
        headers={"Idempotency-Key": key},
    )
    assert bad.status_code == 404
    assert await rows(hub) == []
    good = await create_post(me, key)
    assert good.status_code == 201 and "idempotent-replayed" not in good.headers
    assert await post_count(me) == 1


async def test_keys_and_credentials_are_stored_hashed(hub: Hub) -> None:
    me = await hub.register()
    key = "my-very-recognisable-key"
    assert (await create_post(me, key)).status_code == 201
    [row] = await rows(hub)
    stored = " ".join(str(getattr(row, c.name)) for c in IdempotencyKey.__table__.columns)
    assert key not in stored and me.key not in stored
    assert len(row.key_hash) == 64 and row.state == "completed" and row.response_status == 201
    assert row.expires_at - row.created_at == timedelta(hours=24)


async def test_concurrent_duplicates_create_one_post(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    responses = await asyncio.gather(*(create_post(me, key) for _ in range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    fresh = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(fresh) == 1
    ids = {r.json()["post"]["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    assert await post_count(me) == 1


async def _in_progress_row(hub: Hub, me: Actor, key: str, locked_for: timedelta) -> None:
    """Simulate a first request that is still running (or whose process died)."""
    agent_id = (await me.get(f"{API}/agents/me")).json()["agent"]["id"]
    import orjson

    body = orjson.dumps(post_body())
    outcome = await store.claim(
        hub.app.state.sessionmaker,
        key_hash=scoped_key_hash(f"agent:{agent_id}", key),
        request_hash=request_hash("POST", f"{API}/posts", b"", b"application/json", body),
        method="POST",
        path=f"{API}/posts",
        ttl=timedelta(hours=24),
        lease=locked_for,
    )
    assert outcome.outcome == "run"


async def test_duplicate_while_in_flight_gets_409(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    await _in_progress_row(hub, me, key, timedelta(minutes=1))
    hub.app.state.idempotency_wait_seconds = 0.2
    resp = await me.post(
        f"{API}/posts", content=_json(post_body()), headers={"Idempotency-Key": key, "Content-Type": "application/json"}
    )
    assert resp.status_code == 409, resp.text
    assert resp.json()["code"] == "idempotency_in_progress"
    assert resp.headers["retry-after"] == "1"
    assert await post_count(me) == 0


async def test_a_stale_in_progress_key_is_taken_over(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    await _in_progress_row(hub, me, key, timedelta(seconds=-1))  # the first request's process died
    resp = await me.post(
        f"{API}/posts", content=_json(post_body()), headers={"Idempotency-Key": key, "Content-Type": "application/json"}
    )
    assert resp.status_code == 201, resp.text
    assert await post_count(me) == 1


async def test_expired_keys_run_again_and_are_pruned(hub: Hub) -> None:
    me = await hub.register()
    key = str(uuid.uuid4())
    assert (await create_post(me, key)).status_code == 201
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    again = await create_post(me, key)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert await post_count(me) == 2
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert await store.prune(hub.app.state.sessionmaker) == 1
    assert await rows(hub) == []


async def test_comments_are_idempotent(hub: Hub) -> None:
    me = await hub.register()
    post_id = (await create_post(me, None)).json()["post"]["id"]
    key = str(uuid.uuid4())
    url = f"{API}/posts/{post_id}/comments"
    first = await me.post(url, json={"content": "once"}, headers={"Idempotency-Key": key})
    second = await me.post(url, json={"content": "once"}, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201, first.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    listed = await me.get(url)
    assert len(listed.json()["comments"]) == 1
    post = await me.get(f"{API}/posts/{post_id}")
    assert post.json()["post"]["comment_count"] == 1


async def test_dm_endpoints_are_idempotent(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    key = str(uuid.uuid4())
    body = {"to": bob.name, "message": "Hello Bob, shall we talk?"}
    first = await alice.post(f"{API}/agents/dm/request", json=body, headers={"Idempotency-Key": key})
    assert first.status_code in (200, 201), first.text
    second = await alice.post(f"{API}/agents/dm/request", json=body, headers={"Idempotency-Key": key})
    assert second.status_code == first.status_code
    assert second.headers["idempotent-replayed"] == "true" and second.json() == first.json()
    requests = (await bob.get(f"{API}/agents/dm/requests")).json()
    conv_id = first.json().get("conversation_id") or (first.json().get("conversation") or {}).get("id")
    assert conv_id, first.text
    assert (await bob.post(f"{API}/agents/dm/requests/{conv_id}/approve")).status_code == 200, requests
    send_key = str(uuid.uuid4())
    url = f"{API}/agents/dm/conversations/{conv_id}/send"
    sent = [await bob.post(url, json={"message": "hi alice"}, headers={"Idempotency-Key": send_key}) for _ in range(2)]
    assert sent[0].status_code in (200, 201), sent[0].text
    assert sent[1].headers["idempotent-replayed"] == "true"
    convo = (await alice.get(f"{API}/agents/dm/conversations/{conv_id}")).json()
    messages = convo.get("messages") or convo.get("conversation", {}).get("messages") or []
    assert sum(1 for m in messages if (m.get("content") or m.get("message")) == "hi alice") == 1


async def test_invalid_key_header_is_400(hub: Hub) -> None:
    me = await hub.register()
    resp = await create_post(me, "x" * 300)
    assert resp.status_code == 400 and resp.json()["success"] is False
    assert await post_count(me) == 0


async def test_anonymous_requests_pass_through_to_401(hub: Hub) -> None:
    resp = await hub.client.post(f"{API}/posts", json=post_body(), headers={"Idempotency-Key": "k-anon"})
    assert resp.status_code == 401


def _json(value: object) -> bytes:
    import orjson

    return orjson.dumps(value)


async def test_multipart_retries_with_a_new_boundary_are_replayed(hub: Hub) -> None:
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    me = await hub.register()
    key = str(uuid.uuid4())
    fields = {"submolt": "general", "title": "with image", "content": "see", "media_type": "image"}

    async def send() -> object:  # httpx draws a new random boundary for every request
        return await me.post(
            f"{API}/posts", data=fields, files={"media": ("a.png", png, "image/png")}, headers={"Idempotency-Key": key}
        )

    first, second = await send(), await send()
    assert first.status_code == 201, first.text
    assert second.status_code == 201 and second.headers["idempotent-replayed"] == "true"
    assert second.json()["post"]["id"] == first.json()["post"]["id"]
    assert await post_count(me) == 1

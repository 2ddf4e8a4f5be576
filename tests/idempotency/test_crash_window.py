"""The stored response commits with the resource (no crash window), a short lease kept fresh by
a heartbeat, and a request that lost its claim to a retry cannot commit (docs/decisions/0004)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from agent_hub.db.base import utcnow
from agent_hub.idempotency import store
from agent_hub.idempotency.models import IdempotencyKey
from tests.conftest import Hub
from tests.idempotency.test_idempotency import create_post, post_count, rows


async def test_the_response_is_stored_in_the_handlers_transaction(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if the process died right after the commit (here: the old after-commit store fails),
    the key is completed, so a retry replays instead of creating a second post."""

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("process died")

    monkeypatch.setattr(store, "finish", broken)
    me = await hub.register()
    key = str(uuid.uuid4())
    first = await create_post(me, key)
    assert first.status_code == 201, first.text
    [row] = await rows(hub)
    assert row.state == "completed" and row.response_status == 201 and row.locked_until is None
    again = await create_post(me, key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await post_count(me) == 1


async def test_a_request_that_lost_its_claim_rolls_back(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retry took the key over while the first request was stalled: the first one's post is
    rolled back (409, retry) and only the retry's result counts."""
    me = await hub.register()
    key = str(uuid.uuid4())
    real_complete = store.complete

    async def taken_over(db, key_hash, token, *args):  # type: ignore[no-untyped-def]
        # The retry's takeover renews the claim's token. (Written in the request's own
        # transaction: SQLite has one writer; what matters is what `complete` then finds.)
        await db.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key_hash == key_hash)
            .values(created_at=utcnow() + timedelta(seconds=1))
        )
        return await real_complete(db, key_hash, token, *args)

    monkeypatch.setattr(store, "complete", taken_over)
    resp = await create_post(me, key)
    assert resp.status_code == 409 and resp.json()["code"] == "idempotency_in_progress", resp.text
    assert resp.headers["retry-after"] == "1"
    assert await post_count(me) == 0
    assert [r.state for r in await rows(hub)] != ["completed"]


async def test_heartbeat_extends_only_the_owners_lease(hub: Hub) -> None:
    sm = hub.app.state.sessionmaker
    outcome = await store.claim(
        sm,
        key_hash="k" * 64,
        request_hash="r" * 64,
        method="POST",
        path="/x",
        ttl=timedelta(hours=1),
        lease=timedelta(seconds=10),
    )
    assert outcome.outcome == "run" and outcome.token is not None
    assert await store.heartbeat(sm, "k" * 64, outcome.token, timedelta(minutes=5))
    async with sm() as db:
        row = (await db.execute(select(IdempotencyKey))).scalar_one()
    assert row.locked_until is not None and row.locked_until > utcnow() + timedelta(minutes=4)
    assert not await store.heartbeat(sm, "k" * 64, outcome.token + timedelta(microseconds=1), timedelta(minutes=5))
    await store.forget(sm, "k" * 64, outcome.token + timedelta(microseconds=1))  # not the owner: kept
    assert len(await rows(hub)) == 1
    await store.forget(sm, "k" * 64, outcome.token)
    assert await rows(hub) == []

"""The comment write path on PostgreSQL is one autocommitted statement (comment, counters,
notifications, webhook rows): what it writes must match the step-by-step path exactly."""

from __future__ import annotations

import uuid
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import select, update

from agent_hub.db.base import utcnow
from agent_hub.idempotency import store
from agent_hub.idempotency.models import IdempotencyKey
from agent_hub.webhooks.models import WebhookDelivery
from tests.comments.support import make_post, post_row
from tests.conftest import Hub, HubFactory
from tests.inbox.helpers import comment
from tests.webhooks.receiver import Receiver

LOCAL = {"allow_http_webhooks": True, "webhook_allowed_cidrs": ["127.0.0.1/32"], "webhook_allowed_ports": []}


async def test_comment_notifications_write_webhook_rows_with_their_ids(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL)
    alice, bob, carol = await hub.register("alice"), await hub.register("bob"), await hub.register("carol")
    with Receiver() as receiver:
        r = await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        assert r.status_code == 200, r.text
        post_id = await make_post(hub, alice)
        first = await comment(bob, post_id, "hello @carol")
        await comment(carol, post_id, "a reply", parent_id=first["id"])
        items = (await alice.get("/api/v1/inbox")).json()["items"]
        assert [i["type"] for i in items] == ["comment", "comment"]
        async with hub.app.state.sessionmaker() as db:
            rows = (
                await db.execute(
                    select(WebhookDelivery.agent_id, WebhookDelivery.event, WebhookDelivery.payload).order_by(
                        WebhookDelivery.id
                    )
                )
            ).all()
        me = (await alice.get("/api/v1/agents/me")).json()["agent"]["id"]
        assert [r.agent_id for r in rows] == [me, me]  # only alice has a webhook
        payloads = [orjson.loads(r.payload) for r in rows]
        assert [p["notification"]["id"] for p in payloads] == [i["id"] for i in reversed(items)]
        assert [p["unread_count"] for p in payloads] == [1, 2]
        assert all(p["last_id"] == p["notification"]["id"] and p["type"] == "notification" for p in payloads)
        assert payloads[0]["notification"]["from"]["name"] == "bob" and payloads[0]["notification"]["content"]
        assert payloads[0]["created_at"].endswith("Z") and rows[0].event == "notification"
    mentions = (await carol.get("/api/v1/inbox")).json()["items"]
    assert [i["type"] for i in mentions] == ["mention"]  # carol's own reply notifies her of nothing
    bob_box = (await bob.get("/api/v1/inbox")).json()["items"]
    assert [i["type"] for i in bob_box] == ["reply"]
    row = await post_row(hub, post_id)
    assert row.comment_count == 2


async def test_with_an_idempotency_key_the_comment_commits_with_the_stored_response(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Autocommit is off when the response must commit with the comment: a request whose claim
    was taken over by a retry answers 409 and leaves no comment behind."""
    me, owner = await hub.register(), await hub.register()
    post_id = await make_post(hub, owner)
    real_complete = store.complete

    async def taken_over(db, key_hash, token, *args):  # type: ignore[no-untyped-def]
        await db.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key_hash == key_hash)
            .values(created_at=utcnow() + timedelta(seconds=1))
        )
        return await real_complete(db, key_hash, token, *args)

    monkeypatch.setattr(store, "complete", taken_over)
    resp = await me.post(
        f"/api/v1/posts/{post_id}/comments", json={"content": "once"}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert resp.status_code == 409, resp.text
    assert (await post_row(hub, post_id)).comment_count == 0
    assert (await owner.get("/api/v1/inbox")).json()["items"] == []
    monkeypatch.undo()
    ok = await me.post(
        f"/api/v1/posts/{post_id}/comments", json={"content": "twice"}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert ok.status_code == 201 and (await post_row(hub, post_id)).comment_count == 1

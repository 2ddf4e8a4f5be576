"""Concurrent comments share statements on PostgreSQL (comments/batcher.py): each request still
gets exactly its own outcome, a bad comment fails alone, and a recipient reached several times
by one batch gets every notification with exact counters. (On SQLite the same requests simply
run one after another: the HTTP-level tests run on both engines.)"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime

import pytest

from agent_hub import metrics
from tests.comments.support import comment, make_post, post_row, update_post
from tests.conftest import Hub
from tests.support.batches import batch_counts


@pytest.mark.postgres_only  # the write lane is PostgreSQL's; SQLite writes one comment per transaction
async def test_a_burst_on_one_post_is_written_in_fewer_statements_than_comments(hub: Hub) -> None:
    owner = await hub.register()
    agents = [await hub.register() for _ in range(20)]
    post_id = await make_post(hub, owner)
    before = batch_counts(metrics.COMMENT_BATCH_SIZE)
    url = f"/api/v1/posts/{post_id}/comments"
    responses = await asyncio.gather(*(a.post(url, json={"content": f"burst {i}"}) for i, a in enumerate(agents)))
    assert [r.status_code for r in responses] == [201] * 20
    statements, comments = (a - b for a, b in zip(batch_counts(metrics.COMMENT_BATCH_SIZE), before, strict=True))
    assert comments == 20 and statements < 20  # at least one statement carried several comments
    assert (await post_row(hub, post_id)).comment_count == 20
    ids = {r.json()["comment"]["id"] for r in responses}
    listed = (await hub.client.get(url, params={"sort": "new", "limit": 100})).json()["comments"]
    assert {c["id"] for c in listed} == ids and {c["content"] for c in listed} == {f"burst {i}" for i in range(20)}
    box = (await owner.get("/api/v1/inbox", params={"limit": 50})).json()
    item_ids = [i["id"] for i in box["items"]]
    assert len(item_ids) == len(set(item_ids)) == 20 and box["unread_count"] == 20 and box["last_id"] == max(item_ids)
    assert {i["comment_id"] for i in box["items"]} == ids


async def test_each_request_of_a_mixed_burst_gets_its_own_outcome(hub: Hub) -> None:
    """Good comments, a missing post, a locked post, a missing parent and a too-deep reply,
    all at once: every refusal is that request's alone and writes nothing."""
    owner = await hub.register()
    agents = [await hub.register() for _ in range(9)]
    open_post, locked_post = await make_post(hub, owner), await make_post(hub, owner)
    await update_post(hub, locked_post, is_locked=True)
    chain = [await comment(owner, open_post, "depth 0")]
    for depth in range(1, 11):
        chain.append(await comment(owner, open_post, f"depth {depth}", parent=chain[-1]["id"]))
    bodies = [
        (open_post, {"content": "fine one"}),
        (str(uuid.uuid4()), {"content": "nowhere"}),
        (locked_post, {"content": "too late"}),
        (open_post, {"content": "orphan", "parent_id": str(uuid.uuid4())}),
        (open_post, {"content": "too deep", "parent_id": chain[-1]["id"]}),
        (open_post, {"content": "fine two", "parent_id": chain[0]["id"]}),
        (open_post, {"content": "x" * 70, "parent_id": "x" * 70}),  # an id that cannot exist
        (open_post, {"content": "fine three"}),
        (locked_post, {"content": "still locked"}),
    ]
    responses = await asyncio.gather(
        *(a.post(f"/api/v1/posts/{p}/comments", json=b) for a, (p, b) in zip(agents, bodies, strict=True))
    )
    assert [r.status_code for r in responses] == [201, 404, 403, 404, 400, 201, 404, 201, 403]
    assert responses[1].json()["error"] == "Post not found"
    assert responses[3].json()["error"] == responses[6].json()["error"] == "Parent comment not found"
    assert responses[4].json()["error"] == "Maximum comment depth exceeded"
    assert all(r.json()["success"] is False and r.json()["code"] for r in responses if r.status_code >= 400)
    reply = responses[5].json()["comment"]
    assert reply["depth"] == 1 and reply["root_id"] == chain[0]["id"] and reply["parent_id"] == chain[0]["id"]
    top = responses[0].json()["comment"]
    assert top["depth"] == 0 and top["root_id"] == top["id"]
    assert (await post_row(hub, open_post)).comment_count == 11 + 3
    assert (await post_row(hub, locked_post)).comment_count == 0
    first = (await hub.client.get(f"/api/v1/comments/{chain[0]['id']}")).json()["comment"]
    assert first["reply_count"] == 2  # depth 1 of the chain, and "fine two"


@pytest.mark.postgres_only  # the write lane is PostgreSQL's; SQLite writes one comment per transaction
async def test_a_comment_the_database_refuses_fails_alone(hub: Hub) -> None:
    """A batch the database rejects (here: an author that does not exist, a foreign-key error)
    is retried comment by comment: the others are written, only the culprit fails."""
    owner, alice = await hub.register(), await hub.register()
    post_id = await make_post(hub, owner)
    alice_id = (await alice.get("/api/v1/agents/me")).json()["agent"]["id"]
    batcher = hub.app.state.comment_batcher

    def row(actor: str, text: str) -> Callable[[datetime], dict]:
        comment_id = str(uuid.uuid4())
        return lambda now: {
            "id": comment_id,
            "post_id": post_id,
            "parent_id": None,
            "actor": actor,
            "content": text,
            "mentions": "",
            "preview": text,
            "payload": '{"notification": {}}',
            "now": now,
        }

    good, bad, good2 = row(alice_id, "one"), row(str(uuid.uuid4()), "ghost"), row(alice_id, "two")
    writes = (batcher.submit(r, lambda outcome: []) for r in (good, bad, good2))
    results = await asyncio.gather(*writes, return_exceptions=True)
    assert isinstance(results[1], Exception) and "foreign key" in str(results[1]).lower()
    assert [r.status for r in (results[0], results[2])] == ["ok", "ok"]  # type: ignore[union-attr]
    listed = (await hub.client.get(f"/api/v1/posts/{post_id}/comments", params={"sort": "old"})).json()["comments"]
    assert [c["content"] for c in listed] == ["one", "two"]
    assert (await post_row(hub, post_id)).comment_count == 2


@pytest.mark.postgres_only  # the write lane is PostgreSQL's; SQLite writes one comment per transaction
async def test_a_request_that_goes_away_does_not_disturb_its_batch(hub: Hub) -> None:
    """A client that disconnects while its comment is being written cancels only its own wait:
    the batch commits for everyone, the departed comment included (it was sent)."""
    owner = await hub.register()
    agents = [await hub.register() for _ in range(6)]
    post_id = await make_post(hub, owner)
    url = f"/api/v1/posts/{post_id}/comments"
    tasks = [asyncio.create_task(a.post(url, json={"content": f"c{i}"})) for i, a in enumerate(agents)]
    await asyncio.sleep(0)  # all started; cancel one while the batch is in flight
    for _ in range(20):
        if hub.app.state.comment_batcher._queue or hub.app.state.comment_batcher._drainer:
            break
        await asyncio.sleep(0.001)
    tasks[2].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[2], asyncio.CancelledError)
    assert all(r.status_code == 201 for i, r in enumerate(results) if i != 2)  # type: ignore[union-attr]
    assert (await post_row(hub, post_id)).comment_count in (5, 6)  # the cancelled one, if it was sent
    await asyncio.sleep(0.05)
    more = await agents[0].post(url, json={"content": "after"})  # the batcher is still healthy
    assert more.status_code == 201

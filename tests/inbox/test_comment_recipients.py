"""Who a new comment notifies (`inbox/recipients.py`), through the API, on both engines — and on
PostgreSQL through the batcher, with every role met by several comments of one batch: the
parent comment's author (`reply`), the post's author (`comment`), mentioned agents (`mention`),
the thread's watchers (`thread_update`); one notification per recipient and comment, the most
specific kind winning, never the commenter."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from agent_hub import metrics
from tests.conftest import Actor, Hub
from tests.inbox.helpers import comment, count, inbox, post
from tests.support.batches import batch_counts


async def _kinds(actor: Actor) -> list[tuple[str, str | None, str]]:
    """(kind, comment id, sender name) of every notification, oldest first."""
    box = await inbox(actor, limit=100)
    ids = [i["id"] for i in box["items"]]
    assert len(ids) == len(set(ids)) and box["total"] == len(ids) == (await count(actor))["total"]
    return [(i["type"], i["comment_id"], i["from"]["name"]) for i in reversed(box["items"])]


async def test_each_role_is_notified_once_with_the_most_specific_kind(hub: Hub) -> None:
    alice, bob, carol, dan, erin = [await hub.register(n) for n in ("alice", "bob", "carol", "dan", "erin")]
    p = await post(alice, "Alice's post")  # alice watches her own post
    for watcher in (bob, carol, erin):
        assert (await watcher.post(f"/api/v1/posts/{p['id']}/watch")).status_code == 200
    c1 = await comment(bob, p["id"], "top level by bob, hi @alice and @bob")
    assert await _kinds(alice) == [("comment", c1["id"], "bob")]  # the author, though watching and mentioned
    assert await _kinds(bob) == []  # his own comment, though watching and self-mentioned
    assert await _kinds(carol) == await _kinds(erin) == [("thread_update", c1["id"], "bob")]

    # A reply naming everyone: the parent's author hears `reply`, the post's author `comment`, a
    # mentioned watcher `mention`, a mentioned stranger `mention`; the replier (watching,
    # self-mentioned) nothing.
    r1 = await comment(erin, p["id"], "@bob @alice @carol @dan @erin @nobody", parent_id=c1["id"])
    assert (await _kinds(bob))[-1:] == [("reply", r1["id"], "erin")]
    assert (await _kinds(alice))[-1:] == [("comment", r1["id"], "erin")]
    assert (await _kinds(carol))[-1:] == [("mention", r1["id"], "erin")]
    assert await _kinds(dan) == [("mention", r1["id"], "erin")]
    assert await _kinds(erin) == [("thread_update", c1["id"], "bob")]

    # The post's author replying to her own thread: nobody hears `comment`; bob hears `reply`.
    r2 = await comment(alice, p["id"], "thanks @dan", parent_id=r1["id"])
    assert (await _kinds(erin))[-1:] == [("reply", r2["id"], "alice")]
    assert (await _kinds(bob))[-1:] == [("thread_update", r2["id"], "alice")]
    assert (await _kinds(dan))[-1:] == [("mention", r2["id"], "alice")]
    assert (await _kinds(alice))[-1:] == [("comment", r1["id"], "erin")]
    counts = {a.name: len(await _kinds(a)) for a in (alice, bob, carol, dan, erin)}
    assert counts == {"alice": 2, "bob": 2, "carol": 3, "dan": 2, "erin": 2}


@pytest.mark.postgres_only  # the batcher is PostgreSQL's write lane
async def test_one_batch_notifies_each_role_of_each_comment_exactly_once(hub: Hub) -> None:
    """Eight repliers at once (they share statements): each of their comments notifies the
    parent's author, the post's author, the mentioned agent and the watchers once each; a
    replier who watches the thread hears of the others' comments, never of their own."""
    author, parent_author, mentioned, watcher = [await hub.register() for _ in range(4)]
    repliers = [await hub.register() for _ in range(7)] + [watcher]
    p = await post(author)
    assert (await watcher.post(f"/api/v1/posts/{p['id']}/watch")).status_code == 200
    parent = await comment(parent_author, p["id"], "parent")
    before = batch_counts(metrics.COMMENT_BATCH_SIZE)
    url = f"/api/v1/posts/{p['id']}/comments"
    text = f"@{mentioned.name} @{parent_author.name} @{author.name} and me, @{{me}}"
    responses = await asyncio.gather(
        *(r.post(url, json={"content": text.format(me=r.name), "parent_id": parent["id"]}) for r in repliers)
    )
    assert [r.status_code for r in responses] == [201] * len(repliers)
    statements, comments = (a - b for a, b in zip(batch_counts(metrics.COMMENT_BATCH_SIZE), before, strict=True))
    assert comments == len(repliers) and statements < comments  # some of them went together
    by_replier = {r.name: resp.json()["comment"]["id"] for r, resp in zip(repliers, responses, strict=True)}
    everyone = set(by_replier.values())

    def got(kinds: list[tuple[str, str | None, str]]) -> dict[str, Any]:
        return {
            "ids": Counter(c for _, c, _ in kinds if c in everyone),
            "kinds": {k for k, c, _ in kinds if c in everyone},
        }

    assert got(await _kinds(parent_author)) == {"ids": Counter(everyone), "kinds": {"reply"}}
    assert got(await _kinds(author)) == {"ids": Counter(everyone), "kinds": {"comment"}}
    assert got(await _kinds(mentioned)) == {"ids": Counter(everyone), "kinds": {"mention"}}
    others = everyone - {by_replier[watcher.name]}
    assert got(await _kinds(watcher)) == {"ids": Counter(others), "kinds": {"thread_update"}}
    for replier in repliers[:-1]:
        assert await _kinds(replier) == []
    assert (await count(author))["unread"] == 1 + len(repliers)  # the parent comment and the replies

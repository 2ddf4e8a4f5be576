"""Cached inbox reads (`/inbox`, `/inbox/count`, `/notifications`): served from the read cache
per agent, never stale after anything that changes an inbox, on any replica."""

from __future__ import annotations

from tests.conftest import Actor, Hub, HubFactory
from tests.inbox.helpers import comment, count, inbox, post

API = "/api/v1"


def _hits(hub: Hub) -> int:
    return hub.app.state.read_cache.hits


def _on(hub: Hub, actor: Actor) -> Actor:
    """The same agent (same key) talking to another replica."""
    return Actor(hub, actor.name, actor.key, actor.registration)


async def _notifications(actor: Actor, **params: str) -> dict:
    resp = await actor.get(f"{API}/notifications", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_replicas_see_each_others_inbox_changes(make_hub: HubFactory, redis_url: str) -> None:
    a = await make_hub(redis_url=redis_url)
    b = await make_hub(redis_url=redis_url)
    author = await a.register()
    replier = await a.register()
    author_on_b = _on(b, author)
    p = await post(author)

    for _ in range(2):  # a miss, then hits
        assert (await inbox(author_on_b))["count"] == 0
        assert (await count(author_on_b))["unread"] == 0
        assert (await _notifications(author_on_b))["notifications"] == []
    before = _hits(b)
    await inbox(author_on_b)
    assert _hits(b) == before + 1

    c = await comment(replier, p["id"], "a reply, served by replica a")
    page = await inbox(author_on_b)
    assert [(i["type"], i["comment_id"], i["read"]) for i in page["items"]] == [("comment", c["id"], False)]
    assert (await count(author_on_b))["unread"] == 1
    assert [n["type"] for n in (await _notifications(author_on_b, filter="unread"))["notifications"]] == [
        "post_comment"
    ]

    assert (await author.post(f"{API}/inbox/read-all")).status_code == 200  # served by a
    assert [i["read"] for i in (await inbox(author_on_b))["items"]] == [True]
    assert (await count(author_on_b))["unread"] == 0
    assert (await _notifications(author_on_b, filter="unread"))["notifications"] == []

    assert (await replier.post(f"{API}/agents/{author.name}/follow")).status_code == 200
    assert [i["type"] for i in (await inbox(author_on_b))["items"]] == ["follow", "comment"]


async def test_each_agent_gets_its_own_inbox(hub: Hub) -> None:
    alice = await hub.register()
    bob = await hub.register()
    carol = await hub.register()
    pa, pb = await post(alice, title="alice's"), await post(bob, title="bob's")
    await comment(carol, pa["id"], "to alice")
    await comment(carol, pb["id"], "to bob")
    await comment(carol, pb["id"], "to bob again")
    for _ in range(2):  # the second round is served from the cache
        assert [i["content"] for i in (await inbox(alice))["items"]] == ["to alice"]
        assert [i["content"] for i in (await inbox(bob))["items"]] == ["to bob again", "to bob"]
        assert (await inbox(carol))["items"] == []
        assert [i["content"] for i in (await inbox(bob, limit=1))["items"]] == ["to bob again"]
        assert (await count(bob))["unread"] == 2 and (await count(alice))["unread"] == 1


async def test_deleted_comment_leaves_the_cached_inbox(hub: Hub) -> None:
    author = await hub.register()
    replier = await hub.register()
    p = await post(author)
    c = await comment(replier, p["id"], "soon gone")
    assert (await count(author))["unread"] == 1
    assert len((await inbox(author, unread_only="true"))["items"]) == 1
    assert (await replier.delete(f"{API}/comments/{c['id']}")).status_code in (200, 204)
    assert (await count(author))["unread"] == 0
    assert (await inbox(author, unread_only="true"))["items"] == []


async def test_marking_one_read_is_seen_at_once(hub: Hub) -> None:
    author = await hub.register()
    replier = await hub.register()
    p = await post(author)
    first = await comment(replier, p["id"], "one")
    await comment(replier, p["id"], "two")
    items = (await inbox(author))["items"]
    assert [i["read"] for i in items] == [False, False]
    target = next(i["id"] for i in items if i["comment_id"] == first["id"])
    assert (await author.post(f"{API}/inbox/read", json={"ids": [target]})).status_code == 200
    after = {i["comment_id"]: i["read"] for i in (await inbox(author))["items"]}
    assert after[first["id"]] is True and list(after.values()).count(False) == 1
    assert (await count(author))["unread"] == 1

"""Notifications written with their cause: comment, reply, mention, follow, upvote, thread
watching; counters; reading; deletion; the Moltbook /notifications shape."""

from __future__ import annotations

from tests.conftest import Hub
from tests.inbox.helpers import comment, count, inbox, post


async def test_comment_reply_and_counts(hub: Hub) -> None:
    alice, bob, carol = await hub.register("alice"), await hub.register("bob"), await hub.register("carol")
    p = await post(alice, "Alice's thoughts")
    c1 = await comment(bob, p["id"], "Nice post")
    await comment(carol, p["id"], "I disagree", parent_id=c1["id"])

    a = await inbox(alice)
    assert [i["type"] for i in a["items"]] == ["comment", "comment"]  # newest first
    assert a["unread_count"] == 2 and a["total"] == 2
    item = a["items"][1]
    assert item["from"] == {"id": item["from"]["id"], "name": "bob", "type": "other"}
    assert item["post_id"] == p["id"] and item["comment_id"] == c1["id"]
    assert item["content"] == "Nice post" and item["read"] is False and item["created_at"].endswith("Z")

    b = await inbox(bob)
    assert [i["type"] for i in b["items"]] == ["reply"]  # not also thread_update/comment
    assert b["items"][0]["from"]["name"] == "carol"
    assert (await inbox(carol))["items"] == []  # nothing about her own comment

    c = await count(alice)
    assert (c["unread"], c["total"]) == (2, 2) and c["last_id"] == a["items"][0]["id"]


async def test_mentions_in_posts_and_comments(hub: Hub) -> None:
    alice, bob, carol = await hub.register("alice"), await hub.register("bob"), await hub.register("Carol-X")
    p = await post(alice, "Hey @bob, (@carol-x) look", "cc @bob's friend, @nobody, @alice, mail me at a@bob.com")
    b = await inbox(bob)
    assert [(i["type"], i["post_id"], i["comment_id"]) for i in b["items"]] == [("mention", p["id"], None)]
    assert [i["type"] for i in (await inbox(carol))["items"]] == ["mention"]
    assert (await inbox(alice))["items"] == []  # self-mention ignored

    await comment(carol, p["id"], "@BOB @bob @bob! what do you think @alice?")
    b = await inbox(bob)
    assert [i["type"] for i in b["items"]] == ["mention", "mention"]  # once per item
    # alice is the post author: she gets the (more specific) comment notification only
    assert [i["type"] for i in (await inbox(alice))["items"]] == ["comment"]


async def test_follow_and_aggregated_upvotes(hub: Hub) -> None:
    alice = await hub.register("alice")
    voters = [await hub.register(f"voter{i}") for i in range(3)]
    p = await post(alice)
    await voters[0].post("/api/v1/agents/alice/follow")
    for v in voters:
        assert (await v.post(f"/api/v1/posts/{p['id']}/upvote")).status_code == 200
    a = await inbox(alice)
    types = [i["type"] for i in a["items"]]
    assert types == ["upvote", "follow"]
    up = a["items"][0]
    assert up["count"] == 3 and up["from"]["name"] == "voter2" and up["post_id"] == p["id"]
    assert (await count(alice))["unread"] == 2
    # Read it; the next upvote starts a new unread row.
    await alice.post("/api/v1/inbox/read", json={"ids": [up["id"]]})
    v4 = await hub.register("voter4")
    await v4.post(f"/api/v1/posts/{p['id']}/upvote")
    a = await inbox(alice, unread_only="true")
    assert [(i["type"], i["count"]) for i in a["items"]] == [("upvote", 1), ("follow", 1)]
    # Downvotes and self-votes do not notify.
    other = await hub.register("grump")
    await other.post(f"/api/v1/posts/{p['id']}/downvote")
    assert (await count(alice))["unread"] == 2


async def test_watching_threads(hub: Hub) -> None:
    alice, bob, carol, dan = [await hub.register(n) for n in ("alice", "bob", "carol", "dan")]
    p = await post(alice)
    r = await bob.post(f"/api/v1/posts/{p['id']}/watch")
    assert r.json()["action"] == "watching"
    assert (await bob.post(f"/api/v1/posts/{p['id']}/watch")).json()["action"] == "already_watching"
    await comment(carol, p["id"], "first!")
    assert [i["type"] for i in (await inbox(bob))["items"]] == ["thread_update"]
    watched = (await bob.get("/api/v1/watched")).json()
    assert [w["post_id"] for w in watched["posts"]] == [p["id"]]
    # The author watches automatically; commenters do not.
    assert [w["post_id"] for w in (await alice.get("/api/v1/watched")).json()["posts"]] == [p["id"]]
    assert (await carol.get("/api/v1/watched")).json()["posts"] == []
    assert (await bob.delete(f"/api/v1/posts/{p['id']}/watch")).json()["action"] == "unwatched"
    await comment(dan, p["id"], "second")
    assert len((await inbox(bob))["items"]) == 1
    assert (await bob.post("/api/v1/posts/nope/watch")).status_code == 404


async def test_read_all_and_read_by_post(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    p1, p2 = await post(alice, "one"), await post(alice, "two")
    for _ in range(2):
        await comment(bob, p1["id"], "on one")
    await comment(bob, p2["id"], "on two")
    r = await alice.post(f"/api/v1/notifications/read-by-post/{p1['id']}")
    assert r.status_code == 200 and r.json()["success"] is True and r.json()["marked"] == 2
    assert (await count(alice))["unread"] == 1
    r = await alice.post("/api/v1/notifications/read-all")
    assert r.json()["marked"] == 1
    c = await count(alice)
    assert (c["unread"], c["total"]) == (0, 3)
    assert (await alice.post("/api/v1/inbox/read-all")).json()["marked"] == 0


async def test_deleting_content_removes_its_notifications(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    p = await post(alice)
    c = await comment(bob, p["id"], "will vanish @alice")
    await comment(bob, p["id"], "stays")
    assert (await count(alice))["unread"] == 2
    assert (await bob.delete(f"/api/v1/comments/{c['id']}")).status_code in (200, 204)
    a = await inbox(alice)
    assert [i["content"] for i in a["items"]] == ["stays"]
    assert (await count(alice))["unread"] == 1 and (await count(alice))["total"] == 1
    other = await post(bob, "Bob's", "hi @alice")
    assert (await count(alice))["unread"] == 2
    assert (await bob.delete(f"/api/v1/posts/{other['id']}")).status_code == 200
    c = await count(alice)
    assert (c["unread"], c["total"]) == (1, 1)


async def test_moltbook_notifications_shape_and_paging(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    p = await post(alice, "Title here")
    for i in range(5):
        await comment(bob, p["id"], f"comment {i}")
    await bob.post("/api/v1/agents/alice/follow")
    r = await alice.get("/api/v1/notifications", params={"limit": 4})
    body = r.json()
    assert r.status_code == 200 and body["success"] is True
    assert body["unread_count"] == 6 and body["total"] == 6 and body["has_more"] is True and body["next_cursor"]
    first = body["notifications"][0]
    assert first["type"] == "new_follower" and first["message"] == "bob started following you"
    n = body["notifications"][1]
    for key in (
        "id",
        "type",
        "message",
        "content",
        "post_id",
        "post_title",
        "comment_id",
        "from_agent",
        "is_read",
        "isRead",
        "created_at",
    ):
        assert key in n
    assert n["type"] == "post_comment" and n["post_title"] == "Title here" and n["from_agent"]["name"] == "bob"
    assert n["submolt"] == "general"  # where it happened, for "in m/general"
    assert first["submolt"] is None  # a follow happens nowhere
    assert n["is_read"] is False and n["isRead"] is False and isinstance(n["id"], str)
    r2 = (await alice.get("/api/v1/notifications", params={"limit": 4, "cursor": body["next_cursor"]})).json()
    assert len(r2["notifications"]) == 2 and r2["has_more"] is False and r2["next_cursor"] is None
    ids = [x["id"] for x in body["notifications"] + r2["notifications"]]
    assert len(set(ids)) == 6
    await alice.post(f"/api/v1/notifications/read-by-post/{p['id']}")
    unread = (await alice.get("/api/v1/notifications", params={"filter": "unread"})).json()
    assert [x["type"] for x in unread["notifications"]] == ["new_follower"] and unread["unread_count"] == 1
    assert (await alice.get("/api/v1/notifications", params={"cursor": "@@bad"})).status_code == 400
    assert (await hub.client.get("/api/v1/notifications")).status_code == 401


async def test_inbox_after_id_resume(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    p = await post(alice)
    for i in range(3):
        await comment(bob, p["id"], f"c{i}")
    items = (await inbox(alice))["items"]
    oldest = items[-1]["id"]
    after = await inbox(alice, after_id=oldest)
    assert [i["content"] for i in after["items"]] == ["c1", "c2"]  # oldest first
    assert after["next_after_id"] == items[0]["id"]
    assert (await inbox(alice, after_id=items[0]["id"]))["items"] == []


async def test_comment_upvotes_aggregate_per_comment(hub: Hub) -> None:
    alice, bob, carol = await hub.register("alice"), await hub.register("bob"), await hub.register("carol")
    p = await post(alice)
    c = await comment(bob, p["id"], "upvote me")
    await alice.post(f"/api/v1/comments/{c['id']}/upvote")
    await carol.post(f"/api/v1/comments/{c['id']}/upvote")
    await carol.post(f"/api/v1/comments/{c['id']}/upvote")  # toggles off: no new notification
    items = (await inbox(bob))["items"]
    assert [(i["type"], i["comment_id"], i["count"]) for i in items] == [("upvote", c["id"], 2)]
    n = (await bob.get("/api/v1/notifications")).json()["notifications"][0]
    assert n["type"] == "upvote" and n["message"] == "carol and 1 other upvoted your comment"

"""POST /posts/{id}/comments: validation, replies, depth, counters, live shape (spec §6.3)."""

from __future__ import annotations

from tests.comments.support import comment, make_post, post_row, update_post
from tests.conftest import Hub


async def test_create_returns_live_shape_and_moves_counters(hub: Hub) -> None:
    op = await hub.register("op_author")
    me = await hub.register("commenter")
    post_id = await make_post(hub, op)
    resp = await me.post(f"/api/v1/posts/{post_id}/comments", json={"content": "  nice post  "})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True and body["message"] == "Comment added! 🦞"
    assert body["post_author"] == {"name": "op_author"}
    assert body["already_following_author"] is False and "op_author" in body["suggestion"]
    c = body["comment"]
    for key in (
        "id",
        "post_id",
        "parent_id",
        "content",
        "author",
        "author_id",
        "author_name",
        "author_display_name",
        "upvotes",
        "downvotes",
        "score",
        "depth",
        "is_deleted",
        "created_at",
        "updated_at",
        "replies",
    ):
        assert key in c, key
    assert c["content"] == "nice post"
    assert c["post_id"] == post_id and c["parent_id"] is None and c["depth"] == 0
    assert c["author"]["name"] == "commenter" and c["author"]["avatarUrl"] is None
    assert c["author_name"] == "commenter" and c["replies"] == [] and c["is_deleted"] is False
    assert (await post_row(hub, post_id)).comment_count == 1
    reply = await comment(op, post_id, "thanks", parent=c["id"])
    assert reply["depth"] == 1 and reply["parent_id"] == c["id"]
    assert (await post_row(hub, post_id)).comment_count == 2
    one = await hub.client.get(f"/api/v1/comments/{c['id']}")
    assert one.json()["comment"]["reply_count"] == 1
    me_out = (await me.get("/api/v1/agents/me")).json()["agent"]
    assert me_out["comments_count"] == 1 and me_out["stats"]["comments"] == 1


async def test_already_following_author(hub: Hub) -> None:
    op = await hub.register("followed_op")
    fan = await hub.register("fan")
    await fan.post("/api/v1/agents/followed_op/follow")
    post_id = await make_post(hub, op)
    body = (await fan.post(f"/api/v1/posts/{post_id}/comments", json={"content": "hi"})).json()
    assert body["already_following_author"] is True and body["suggestion"] is None


async def test_content_validation(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    url = f"/api/v1/posts/{post_id}/comments"
    for payload in ({}, {"content": ""}, {"content": "   \n "}, {"content": "x" * 10_001}):
        resp = await me.post(url, json=payload)
        assert resp.status_code == 400, payload
        assert resp.json()["success"] is False and resp.json()["error"]
    resp = await me.post(url)  # no body at all
    assert resp.status_code == 400 and resp.json()["error"] == "Content is required"
    resp = await me.post(url, content=b"", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["error"] == "Content is required"
    assert (await me.post(url, json={"content": "x" * 10_000})).status_code == 201


async def test_writes_need_a_key(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    resp = await hub.client.post(f"/api/v1/posts/{post_id}/comments", json={"content": "anon"})
    assert resp.status_code == 401


async def test_post_must_exist_live_and_unlocked(hub: Hub) -> None:
    me = await hub.register()
    resp = await me.post("/api/v1/posts/00000000-0000-4000-8000-000000000000/comments", json={"content": "x"})
    assert resp.status_code == 404 and resp.json()["error"] == "Post not found"
    deleted = await make_post(hub, me, is_deleted=True)
    resp = await me.post(f"/api/v1/posts/{deleted}/comments", json={"content": "x"})
    assert resp.status_code == 404 and resp.json()["error"] == "Post not found"
    locked = await make_post(hub, me)
    await update_post(hub, locked, is_locked=True)
    resp = await me.post(f"/api/v1/posts/{locked}/comments", json={"content": "x"})
    assert resp.status_code == 403 and resp.json()["code"] == "FORBIDDEN"
    assert (await post_row(hub, locked)).comment_count == 0


async def test_parent_spellings_and_same_post_rule(hub: Hub) -> None:
    me = await hub.register()
    post_a = await make_post(hub, me, "A")
    post_b = await make_post(hub, me, "B")
    root = await comment(me, post_a, "root")
    camel = await me.post(f"/api/v1/posts/{post_a}/comments", json={"content": "camel", "parentId": root["id"]})
    assert camel.status_code == 201 and camel.json()["comment"]["parent_id"] == root["id"]
    snake = await me.post(f"/api/v1/posts/{post_a}/comments", json={"content": "snake", "parent_id": root["id"]})
    assert snake.status_code == 201 and snake.json()["comment"]["parent_id"] == root["id"]
    other = await me.post(f"/api/v1/posts/{post_b}/comments", json={"content": "x", "parent_id": root["id"]})
    assert other.status_code == 404 and other.json()["error"] == "Parent comment not found"
    ghost = await me.post(f"/api/v1/posts/{post_a}/comments", json={"content": "x", "parent_id": "nope"})
    assert ghost.status_code == 404 and ghost.json()["error"] == "Parent comment not found"
    assert (await post_row(hub, post_b)).comment_count == 0


async def test_depth_limit_is_ten(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    parent = None
    for depth in range(11):  # depths 0..10 are allowed
        c = await comment(me, post_id, f"level {depth}", parent=parent)
        assert c["depth"] == depth
        parent = c["id"]
    resp = await me.post(f"/api/v1/posts/{post_id}/comments", json={"content": "too deep", "parent_id": parent})
    assert resp.status_code == 400 and resp.json()["error"] == "Maximum comment depth exceeded"
    tree = (await hub.client.get(f"/api/v1/posts/{post_id}/comments")).json()["comments"]
    depth = 0
    node = tree[0]
    while node["replies"]:
        node = node["replies"][0]
        depth += 1
    assert depth == 10

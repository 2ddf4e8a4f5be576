"""GET /posts/{id}, DELETE /posts/{id}, POST/DELETE /posts/{id}/pin."""

from __future__ import annotations

from sqlalchemy import update

from agent_hub.agents.models import Agent
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt
from tests.conftest import Hub
from tests.posts.helpers import API, add_moderator, db_row, make_submolt, new_post


async def test_get_post_with_vote_and_comments(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    post = await new_post(alice, title="read me", content="body")
    comment = await bob.post(f"{API}/posts/{post['id']}/comments", json={"content": "first!"})
    assert comment.status_code == 201, comment.text
    await bob.post(f"{API}/posts/{post['id']}/downvote")
    body = (await bob.get(f"{API}/posts/{post['id']}")).json()
    assert body["success"] is True
    assert body["post"]["id"] == post["id"] and body["post"]["userVote"] == -1 and body["post"]["user_vote"] == -1
    assert body["post"]["comment_count"] == 1 and body["post"]["score"] == -1
    assert [c["content"] for c in body["comments"]] == ["first!"]
    anonymous = (await hub.client.get(f"{API}/posts/{post['id']}")).json()
    assert anonymous["post"]["userVote"] is None


async def test_get_missing_post_is_404(hub: Hub) -> None:
    resp = await hub.client.get(f"{API}/posts/00000000-0000-0000-0000-000000000000")
    assert resp.status_code == 404
    assert resp.json()["error"] == "Post not found" and resp.json()["code"] == "NOT_FOUND"


async def test_delete_rules_and_counters(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    sub_id = await make_submolt(hub, "deletions")
    post = await new_post(alice, submolt="deletions")
    await bob.post(f"{API}/posts/{post['id']}/upvote")
    resp = await bob.delete(f"{API}/posts/{post['id']}")
    assert resp.status_code == 403 and resp.json()["error"] == "You can only delete your own posts"
    resp = await alice.delete(f"{API}/posts/{post['id']}")
    assert resp.status_code == 200 and resp.json() == {"success": True, "message": "Post deleted"}
    # gone for readers, voters and a second delete
    assert (await hub.client.get(f"{API}/posts/{post['id']}")).status_code == 404
    assert (await hub.client.get(f"{API}/posts/{post['id']}/comments")).status_code == 404  # thread gone too
    assert (await bob.post(f"{API}/posts/{post['id']}/upvote")).status_code == 404
    assert (await alice.delete(f"{API}/posts/{post['id']}")).status_code == 404
    assert (await alice.delete(f"{API}/posts/not-a-post")).status_code == 404
    me = (await alice.get(f"{API}/agents/me")).json()["agent"]
    assert me["posts_count"] == 0 and me["karma"] == 1  # earned karma stays
    assert (await db_row(hub, Submolt, sub_id)).post_count == 0
    row = await db_row(hub, Post, post["id"])
    assert row is not None and row.is_deleted is True  # soft delete keeps the row


async def test_pin_permissions_and_limit(hub: Hub) -> None:
    owner, mod, author, stranger = [await hub.register(n) for n in ("sub_owner", "sub_mod", "writer", "stranger")]
    await make_submolt(hub, "pinned", owner=owner)
    await add_moderator(hub, "pinned", mod, owner=owner)
    posts = [(await new_post(author, submolt="pinned", title=f"p{i}"))["id"] for i in range(5)]
    resp = await stranger.post(f"{API}/posts/{posts[0]}/pin")
    assert resp.status_code == 403
    resp = await author.post(f"{API}/posts/{posts[0]}/pin")  # writing in a submolt is not moderating it
    assert resp.status_code == 403
    resp = await owner.post(f"{API}/posts/{posts[0]}/pin")
    assert resp.status_code == 200 and resp.json()["message"] and resp.json()["post"]["is_pinned"] is True
    again = await owner.post(f"{API}/posts/{posts[0]}/pin", json={})
    assert again.status_code == 200 and again.json()["post"]["is_pinned"] is True
    for post_id in posts[1:3]:
        resp = await mod.post(f"{API}/posts/{post_id}/pin", content=b"", headers={"Content-Type": "application/json"})
        assert resp.status_code == 200, resp.text
    resp = await owner.post(f"{API}/posts/{posts[3]}/pin")
    assert resp.status_code == 400 and "3" in resp.json()["error"]
    resp = await mod.delete(f"{API}/posts/{posts[0]}/pin")
    assert resp.status_code == 200 and resp.json()["post"]["is_pinned"] is False and resp.json()["message"]
    assert (await owner.post(f"{API}/posts/{posts[3]}/pin")).status_code == 200
    # deleting a pinned post frees its slot
    assert (await author.delete(f"{API}/posts/{posts[3]}")).status_code == 200
    assert (await owner.post(f"{API}/posts/{posts[4]}/pin")).status_code == 200
    assert (await owner.post(f"{API}/posts/missing/pin")).status_code == 404


async def test_human_owner_moderates_every_submolt(hub: Hub) -> None:
    human = await hub.register()
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(Agent).where(Agent.name == human.name).values(type="human"))
    author = await hub.register()
    post = await new_post(author)
    resp = await human.post(f"{API}/posts/{post['id']}/pin")
    assert resp.status_code == 200 and resp.json()["post"]["is_pinned"] is True

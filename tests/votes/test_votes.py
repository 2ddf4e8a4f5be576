"""Votes on posts and comments (spec §6.4): create, toggle off, flip, counters and karma."""

from __future__ import annotations

from typing import Any

from agent_hub.comments.models import Comment
from agent_hub.posts.models import Post
from agent_hub.votes.schemas import VoteResponse
from tests.conftest import Actor, Hub
from tests.posts.helpers import API, db_row, new_post

NO_BODY: dict[str, Any] = {}
EMPTY_JSON: dict[str, Any] = {"content": b"", "headers": {"Content-Type": "application/json"}}
EMPTY_OBJECT: dict[str, Any] = {"json": {}}


async def _karma(actor: Actor) -> int:
    return int((await actor.get(f"{API}/agents/me")).json()["agent"]["karma"])


async def _post_counts(hub: Hub, post_id: str) -> tuple[int, int, int]:
    row = await db_row(hub, Post, post_id)
    return row.upvotes, row.downvotes, row.score


async def test_post_vote_semantics(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    post = (await new_post(alice))["id"]
    steps = [
        ("upvote", NO_BODY, "upvoted", "Upvoted! 🦞", (1, 0, 1), 1),
        ("upvote", EMPTY_JSON, "removed", "Vote removed!", (0, 0, 0), None),
        ("downvote", EMPTY_OBJECT, "downvoted", "Downvoted!", (0, 1, -1), -1),
        ("upvote", NO_BODY, "changed", "Vote changed!", (1, 0, 1), 1),
        ("downvote", NO_BODY, "changed", "Vote changed!", (0, 1, -1), -1),
        ("downvote", NO_BODY, "removed", "Vote removed!", (0, 0, 0), None),
    ]
    for path, kwargs, action, message, counts, user_vote in steps:
        resp = await bob.post(f"{API}/posts/{post}/{path}", **kwargs)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert (body["success"], body["action"], body["message"]) == (True, action, message), path
        assert body["author"] == {"name": "alice"} and body["already_following"] is False
        assert body["suggestion"] and body["userVote"] == body["user_vote"] == user_vote
        assert (body["upvotes"], body["downvotes"], body["score"]) == counts
        assert await _post_counts(hub, post) == counts
        assert await _karma(alice) == counts[2]
        assert await _karma(bob) == 0


async def test_hot_score_is_recomputed_on_every_vote(hub: Hub) -> None:
    alice = await hub.register()
    voters = [await hub.register() for _ in range(3)]
    post = await new_post(alice)
    base = post["hot_score"]
    for voter in voters:
        await voter.post(f"{API}/posts/{post['id']}/downvote")
    row = await db_row(hub, Post, post["id"])
    assert abs(row.hot_score - (base - 0.47712125472)) < 1e-6  # -log10(3)
    for voter in voters:
        await voter.post(f"{API}/posts/{post['id']}/downvote")  # toggles off
    assert abs((await db_row(hub, Post, post["id"])).hot_score - base) < 1e-9


async def test_delete_vote_endpoint(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    post = (await new_post(alice))["id"]
    resp = await bob.delete(f"{API}/posts/{post}/vote")
    assert resp.status_code == 200 and resp.json()["action"] == "not_voted"
    await bob.post(f"{API}/posts/{post}/downvote")
    resp = await bob.delete(f"{API}/posts/{post}/vote")
    assert resp.json()["action"] == "removed" and resp.json()["score"] == 0
    assert await _karma(alice) == 0 and await _post_counts(hub, post) == (0, 0, 0)


async def test_own_content_missing_targets_and_auth(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    post = (await new_post(alice))["id"]
    resp = await alice.post(f"{API}/posts/{post}/upvote")
    assert resp.status_code == 400 and resp.json()["error"] == "Cannot vote on your own content"
    comment = (await alice.post(f"{API}/posts/{post}/comments", json={"content": "mine"})).json()["comment"]
    resp = await alice.post(f"{API}/comments/{comment['id']}/downvote")
    assert resp.status_code == 400 and resp.json()["error"] == "Cannot vote on your own content"
    resp = await bob.post(f"{API}/posts/00000000-0000-0000-0000-000000000000/upvote")
    assert resp.status_code == 404 and resp.json()["error"] == "Post not found"
    resp = await bob.post(f"{API}/comments/nope/upvote")
    assert resp.status_code == 404 and resp.json()["error"] == "Comment not found"
    resp = await hub.client.post(f"{API}/posts/{post}/upvote")
    assert resp.status_code == 401
    assert await _karma(alice) == 0


async def test_comment_votes_move_comment_counters_and_karma(hub: Hub) -> None:
    alice, bob, carol = await hub.register("alice"), await hub.register("bob"), await hub.register("carol")
    post = (await new_post(alice))["id"]
    resp = await bob.post(f"{API}/posts/{post}/comments", json={"content": "bob says"})
    comment = resp.json()["comment"]["id"]
    r1 = await alice.post(f"{API}/comments/{comment}/upvote")
    assert r1.status_code == 200 and r1.json()["action"] == "upvoted" and r1.json()["author"] == {"name": "bob"}
    r2 = await carol.post(f"{API}/comments/{comment}/downvote", json={})
    assert r2.json()["action"] == "downvoted"
    row = await db_row(hub, Comment, comment)
    assert (row.upvotes, row.downvotes, row.score) == (1, 1, 0)
    r3 = await carol.post(f"{API}/comments/{comment}/upvote")
    assert r3.json()["action"] == "changed" and r3.json()["score"] == 2
    assert await _karma(bob) == 2
    r4 = await alice.delete(f"{API}/comments/{comment}/vote")
    assert r4.json()["action"] == "removed"
    row = await db_row(hub, Comment, comment)
    assert (row.upvotes, row.downvotes, row.score) == (1, 0, 1)
    assert await _karma(bob) == 1 and await _post_counts(hub, post) == (0, 0, 0)  # the post is untouched


async def test_karma_sums_posts_and_comments_and_following_hint(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    posts = [(await new_post(alice, title=f"p{i}"))["id"] for i in range(2)]
    comment = (await alice.post(f"{API}/posts/{posts[0]}/comments", json={"content": "c"})).json()["comment"]["id"]
    await bob.post(f"{API}/agents/alice/follow")
    r = await bob.post(f"{API}/posts/{posts[0]}/upvote")
    assert r.json()["already_following"] is True
    await bob.post(f"{API}/posts/{posts[1]}/downvote")
    await bob.post(f"{API}/comments/{comment}/upvote")
    assert await _karma(alice) == 1


async def test_comments_of_deleted_posts_cannot_be_voted(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    post = (await new_post(alice))["id"]
    comment = (await alice.post(f"{API}/posts/{post}/comments", json={"content": "c"})).json()["comment"]["id"]
    assert (await bob.post(f"{API}/comments/{comment}/upvote")).status_code == 200
    assert (await alice.delete(f"{API}/posts/{post}")).status_code == 200
    resp = await bob.post(f"{API}/comments/{comment}/upvote")
    assert resp.status_code == 404 and resp.json()["error"] == "Comment not found"
    assert await _karma(alice) == 1


async def test_every_vote_answer_has_exactly_the_documented_fields(hub: Hub) -> None:
    """The routers send the answer as built (no response-model pass): it must be `VoteResponse`,
    field for field, for every action and both kinds of target."""
    author, voter = await hub.register(), await hub.register()
    post = await new_post(author)
    comment = (await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "c"})).json()["comment"]
    documented = set(VoteResponse.model_fields)
    for base in (f"{API}/posts/{post['id']}", f"{API}/comments/{comment['id']}"):
        for method, path in (("POST", "/upvote"), ("POST", "/downvote"), ("POST", "/downvote"), ("DELETE", "/vote")):
            resp = await voter.request(method, base + path)
            assert resp.status_code == 200, resp.text
            assert set(resp.json()) == documented
            assert VoteResponse.model_validate(resp.json()).model_dump() == resp.json()

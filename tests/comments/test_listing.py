"""GET /posts/{id}/comments: tree shape, sorts, root paging, viewer votes (spec §6.3, §7)."""

from __future__ import annotations

import asyncio

from sqlalchemy import insert

from agent_hub.votes.models import CommentVote
from tests.comments.support import comment, make_post, set_comment_votes
from tests.conftest import Hub


async def _ids(hub: Hub, post_id: str, **params: object) -> list[str]:
    resp = await hub.client.get(f"/api/v1/posts/{post_id}/comments", params=params)
    assert resp.status_code == 200, resp.text
    return [c["content"] for c in resp.json()["comments"]]


async def test_tree_nests_all_replies_under_roots(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    a = await comment(me, post_id, "a")
    b = await comment(me, post_id, "b")
    a1 = await comment(me, post_id, "a1", parent=a["id"])
    await comment(me, post_id, "a1x", parent=a1["id"])
    await comment(me, post_id, "a2", parent=a["id"])
    await comment(me, post_id, "b1", parent=b["id"])
    resp = await hub.client.get(f"/api/v1/posts/{post_id}/comments", params={"sort": "old"})
    body = resp.json()
    assert {"success", "comments", "count", "has_more", "next_cursor", "post_id", "sort"} <= set(body)
    assert body["post_id"] == post_id and body["sort"] == "old" and body["count"] == 2
    tree = body["comments"]
    assert [c["content"] for c in tree] == ["a", "b"]
    assert [c["content"] for c in tree[0]["replies"]] == ["a1", "a2"]
    assert [c["content"] for c in tree[0]["replies"][0]["replies"]] == ["a1x"]
    assert tree[0]["replies"][0]["replies"][0]["depth"] == 2
    assert [c["content"] for c in tree[1]["replies"]] == ["b1"]
    assert tree[0]["userVote"] is None and tree[0]["user_vote"] is None


async def test_unknown_post_is_404(hub: Hub) -> None:
    resp = await hub.client.get("/api/v1/posts/nope/comments")
    assert resp.status_code == 404 and resp.json()["error"] == "Post not found"


async def test_sort_orders(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    made = {}
    for name in ("first", "second", "third", "fourth"):
        made[name] = await comment(me, post_id, name)
        await asyncio.sleep(0.002)
    # best: score desc then oldest; controversial: (up+down) * (1 - |up-down| / (up+down))
    await set_comment_votes(hub, made["first"]["id"], 1, 0)  # score 1, controversy 0
    await set_comment_votes(hub, made["second"]["id"], 5, 0)  # score 5, controversy 0
    await set_comment_votes(hub, made["third"]["id"], 8, 3)  # score 5, controversy 11*(1-5/11)=6
    await set_comment_votes(hub, made["fourth"]["id"], 4, 6)  # score -2, controversy 10*(1-2/10)=8
    assert await _ids(hub, post_id) == ["second", "third", "first", "fourth"]  # best: score, then oldest
    assert await _ids(hub, post_id, sort="top") == ["second", "third", "first", "fourth"]
    assert await _ids(hub, post_id, sort="new") == ["fourth", "third", "second", "first"]
    assert await _ids(hub, post_id, sort="old") == ["first", "second", "third", "fourth"]
    assert await _ids(hub, post_id, sort="controversial") == ["fourth", "third", "second", "first"]
    assert await _ids(hub, post_id, sort="bogus") == ["second", "third", "first", "fourth"]


async def test_replies_use_the_same_sort(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    root = await comment(me, post_id, "root")
    low = await comment(me, post_id, "low", parent=root["id"])
    await asyncio.sleep(0.002)
    high = await comment(me, post_id, "high", parent=root["id"])
    await set_comment_votes(hub, low["id"], 0, 1)
    await set_comment_votes(hub, high["id"], 3, 0)
    best = (await hub.client.get(f"/api/v1/posts/{post_id}/comments")).json()["comments"][0]
    assert [r["content"] for r in best["replies"]] == ["high", "low"]
    old = (await hub.client.get(f"/api/v1/posts/{post_id}/comments?sort=old")).json()["comments"][0]
    assert [r["content"] for r in old["replies"]] == ["low", "high"]


async def _walk(hub: Hub, post_id: str, sort: str, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        params = {"sort": sort, "limit": limit, **({"cursor": cursor} if cursor else {})}
        body = (await hub.client.get(f"/api/v1/posts/{post_id}/comments", params=params)).json()
        assert len(body["comments"]) <= limit
        seen += [c["id"] for c in body["comments"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        cursor = body["next_cursor"]
    raise AssertionError("paging did not end")


async def test_limit_counts_roots_and_cursor_visits_each_root_once(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    roots = []
    for i in range(7):
        c = await comment(me, post_id, f"root {i}")
        roots.append(c["id"])
        await comment(me, post_id, f"reply {i}", parent=c["id"])
    # ties in score everywhere: keyset must still be exact
    await set_comment_votes(hub, roots[3], 2, 0)
    await set_comment_votes(hub, roots[5], 2, 1)
    for sort in ("best", "top", "new", "old", "controversial"):
        seen = await _walk(hub, post_id, sort, 3)
        assert sorted(seen) == sorted(roots), sort
        assert len(seen) == len(set(seen)) == 7
    page = (await hub.client.get(f"/api/v1/posts/{post_id}/comments", params={"limit": 2})).json()
    assert page["count"] == 2 and page["has_more"] is True
    assert all(len(c["replies"]) == 1 for c in page["comments"])
    default = (await hub.client.get(f"/api/v1/posts/{post_id}/comments")).json()
    assert default["count"] == 7 and default["has_more"] is False
    offset = (await hub.client.get(f"/api/v1/posts/{post_id}/comments", params={"sort": "old", "offset": 5})).json()
    assert [c["id"] for c in offset["comments"]] == roots[5:]
    bad = await hub.client.get(f"/api/v1/posts/{post_id}/comments", params={"cursor": "!!!"})
    assert bad.status_code == 400


async def test_limit_default_35_and_max_100(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    for i in range(36):
        await comment(me, post_id, f"c{i}")
    body = (await hub.client.get(f"/api/v1/posts/{post_id}/comments")).json()
    assert body["count"] == 35 and body["has_more"] is True
    body = (await hub.client.get(f"/api/v1/posts/{post_id}/comments?limit=1000")).json()
    assert body["count"] == 36 and body["has_more"] is False


async def test_viewer_votes_are_marked(hub: Hub) -> None:
    me = await hub.register()
    voter = await hub.register()
    post_id = await make_post(hub, me)
    root = await comment(me, post_id, "root")
    reply = await comment(me, post_id, "reply", parent=root["id"])
    voter_id = (await voter.get("/api/v1/agents/me")).json()["agent"]["id"]
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(insert(CommentVote).values(agent_id=voter_id, comment_id=root["id"], value=1))
        await db.execute(insert(CommentVote).values(agent_id=voter_id, comment_id=reply["id"], value=-1))
    tree = (await voter.get(f"/api/v1/posts/{post_id}/comments")).json()["comments"]
    assert tree[0]["userVote"] == 1 and tree[0]["user_vote"] == 1
    assert tree[0]["replies"][0]["userVote"] == -1
    anon = (await hub.client.get(f"/api/v1/posts/{post_id}/comments")).json()["comments"]
    assert anon[0]["userVote"] is None
    single = (await voter.get(f"/api/v1/comments/{reply['id']}")).json()["comment"]
    assert single["userVote"] == -1


async def test_comment_tree_function(hub: Hub) -> None:
    from agent_hub.comments.service import comment_tree

    me = await hub.register()
    post_id = await make_post(hub, me)
    root = await comment(me, post_id, "root")
    await comment(me, post_id, "reply", parent=root["id"])
    async with hub.app.state.sessionmaker() as db:
        tree = await comment_tree(db, None, post_id)
    assert tree[0]["id"] == root["id"] and tree[0]["replies"][0]["content"] == "reply"

"""GET /posts and /submolts/{name}/feed: sort orders, keyset cursors, offset compatibility,
filters, pinned-first in submolt listings, deleted posts never listed."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import Actor, Hub
from tests.posts.helpers import API, backdate, make_submolt, new_post


async def _ids(actor: Actor | Hub, path: str, **params: Any) -> list[str]:
    client = actor.client if isinstance(actor, Hub) else actor
    resp = await client.get(f"{API}{path}", params=params)
    assert resp.status_code == 200, resp.text
    return [p["id"] for p in resp.json()["posts"]]


async def _walk(hub: Hub, path: str, limit: int, **params: Any) -> list[str]:
    """Follow next_cursor to the end; every page but the last is full."""
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        body = (await hub.client.get(f"{API}{path}", params=query)).json()
        seen += [p["id"] for p in body["posts"]]
        assert body["posts"] == body["data"] and body["count"] == len(body["posts"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        assert len(body["posts"]) == limit and body["pagination"]["hasMore"] is True
        cursor = body["next_cursor"]
    raise AssertionError("cursor never ended")


async def _scored_posts(hub: Hub) -> tuple[Actor, list[str], list[Actor]]:
    """Five posts, oldest first, with scores 0, 3, -1, 1, 2."""
    author = await hub.register("author")
    voters = [await hub.register(f"voter{i}") for i in range(3)]
    ids = [(await new_post(author, title=f"p{i}"))["id"] for i in range(5)]
    for post_id, score in zip(ids, (0, 3, -1, 1, 2), strict=True):
        for voter in voters[: abs(score)]:
            direction = "upvote" if score > 0 else "downvote"
            assert (await voter.post(f"{API}/posts/{post_id}/{direction}")).status_code == 200
    return author, ids, voters


async def test_sort_orders(hub: Hub) -> None:
    _, ids, _ = await _scored_posts(hub)
    p0, p1, p2, p3, p4 = ids
    assert await _ids(hub, "/posts", sort="new") == [p4, p3, p2, p1, p0]
    # top: score desc, then newest first among equal scores
    assert await _ids(hub, "/posts", sort="top") == [p1, p4, p3, p0, p2]
    # hot: created within a second, so log10(score) dominates; scores -1, 0 and 1 all have
    # sign*log10(max(|s|,1)) = 0 and tie on it, so the newer of them wins
    assert await _ids(hub, "/posts", sort="hot") == [p1, p4, p3, p2, p0]
    assert await _ids(hub, "/posts") == await _ids(hub, "/posts", sort="nonsense")
    # hot trades score against age: 45000 s of age is worth one power of ten of score
    await backdate(hub, p1, hours=13)  # score 3 (log 0.48) but 13 h older: below fresh posts
    assert await _ids(hub, "/posts", sort="hot") == [p4, p3, p2, p0, p1]


async def test_hot_score_follows_votes(hub: Hub) -> None:
    author = await hub.register()
    voters = [await hub.register() for _ in range(10)]
    post = await new_post(author)
    for voter in voters:
        await voter.post(f"{API}/posts/{post['id']}/upvote")
    after = (await hub.client.get(f"{API}/posts/{post['id']}")).json()["post"]
    assert after["score"] == 10
    assert abs(after["hot_score"] - (post["hot_score"] + 1.0)) < 1e-6  # log10(10) = 1


async def test_cursor_paging_lists_every_post_once(hub: Hub) -> None:
    _, ids, _ = await _scored_posts(hub)
    more = [(await new_post(await hub.register(), title=f"q{i}"))["id"] for i in range(6)]
    everything = set(ids + more)
    for sort in ("hot", "new", "top", "rising"):
        for limit in (1, 3, 4):
            walked = await _walk(hub, "/posts", limit, sort=sort)
            assert len(walked) == len(everything) and set(walked) == everything, (sort, limit)
            assert walked == await _ids(hub, "/posts", sort=sort, limit=100), (sort, limit)


async def test_cursor_is_stable_under_concurrent_inserts(hub: Hub) -> None:
    author = await hub.register()
    old = [(await new_post(author, title=f"o{i}"))["id"] for i in range(4)]
    page = (await hub.client.get(f"{API}/posts", params={"sort": "new", "limit": 2})).json()
    await new_post(author, title="newcomer")  # would shift an offset-based second page
    rest = (
        await hub.client.get(f"{API}/posts", params={"sort": "new", "limit": 2, "cursor": page["next_cursor"]})
    ).json()
    assert [p["id"] for p in page["posts"] + rest["posts"]] == old[::-1]


async def test_offset_compatibility(hub: Hub) -> None:
    author = await hub.register()
    ids = [(await new_post(author, title=f"o{i}"))["id"] for i in range(5)][::-1]
    body = (await hub.client.get(f"{API}/posts", params={"sort": "new", "limit": 2, "offset": 2})).json()
    assert [p["id"] for p in body["posts"]] == ids[2:4]
    assert body["next_offset"] == 4 and body["has_more"] is True
    assert body["pagination"] == {"count": 2, "limit": 2, "offset": 2, "hasMore": True}
    last = (await hub.client.get(f"{API}/posts", params={"sort": "new", "limit": 2, "offset": 4})).json()
    assert [p["id"] for p in last["posts"]] == ids[4:] and last["has_more"] is False and last["next_offset"] is None
    rising = await _ids(hub, "/posts", sort="rising", limit=2, offset=1)
    assert rising == (await _ids(hub, "/posts", sort="rising"))[1:3]


async def test_limit_is_clamped_and_bad_cursors_are_400(hub: Hub) -> None:
    author = await hub.register()
    for i in range(3):
        await new_post(author, title=f"t{i}")
    body = (await hub.client.get(f"{API}/posts", params={"limit": 1000})).json()
    assert body["pagination"]["limit"] == 100 and body["count"] == 3
    assert (await hub.client.get(f"{API}/posts", params={"limit": 0})).json()["pagination"]["limit"] == 25
    page = (await hub.client.get(f"{API}/posts", params={"sort": "new", "limit": 1})).json()
    resp = await hub.client.get(f"{API}/posts", params={"sort": "top", "cursor": page["next_cursor"]})
    assert resp.status_code == 400 and resp.json()["error"] == "Invalid cursor"
    forged = base64.urlsafe_b64encode(b'{"s":"new","k":["not a date","x"]}').decode().rstrip("=")
    for bad in ("%%%", forged, base64.urlsafe_b64encode(b"[1]").decode()):
        resp = await hub.client.get(f"{API}/posts", params={"sort": "new", "cursor": bad})
        assert resp.status_code == 400, bad


async def test_rising_prefers_young_scored_posts(hub: Hub) -> None:
    author = await hub.register()
    voters = [await hub.register() for _ in range(4)]
    old = (await new_post(author, title="old but loved"))["id"]
    young = (await new_post(author, title="young, one vote"))["id"]
    fresh = (await new_post(author, title="fresh, no votes"))["id"]
    for voter in voters:
        await voter.post(f"{API}/posts/{old}/upvote")
    await voters[0].post(f"{API}/posts/{young}/upvote")
    await backdate(hub, old, hours=48)  # (4+1)/50^1.5 = 0.014
    await backdate(hub, young, hours=1)  # (1+1)/3^1.5 = 0.385; fresh: 1/2^1.5 = 0.354
    assert await _ids(hub, "/posts", sort="rising") == [young, fresh, old]
    assert (await _ids(hub, "/posts", sort="top"))[0] == old


async def test_filters_by_submolt_and_author(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    await make_submolt(hub, "cats")
    a_cat = (await new_post(alice, submolt="cats"))["id"]
    b_gen = (await new_post(bob))["id"]
    assert await _ids(hub, "/posts", submolt="cats") == [a_cat]
    assert await _ids(hub, "/posts", submolt="CATS", sort="new") == [a_cat]
    assert await _ids(hub, "/posts", author="Bob") == [b_gen]
    assert await _ids(hub, "/posts", author="nobody") == []
    assert await _ids(hub, "/posts", submolt="nowhere") == []
    assert await _ids(hub, "/posts", submolt="cats", author="bob") == []


async def test_submolt_feed_and_alias(hub: Hub) -> None:
    alice = await hub.register()
    await make_submolt(hub, "dogs")
    in_dogs = [(await new_post(alice, submolt="dogs", title=f"d{i}"))["id"] for i in range(2)]
    await new_post(alice, title="elsewhere")
    assert await _ids(hub, "/submolts/dogs/feed", sort="new") == in_dogs[::-1]
    assert await _ids(hub, "/submolts/dogs/posts", sort="new") == in_dogs[::-1]
    resp = await hub.client.get(f"{API}/submolts/nowhere/feed")
    assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found"


async def test_pinned_first_only_in_the_submolt_listing(hub: Hub) -> None:
    owner = await hub.register("pin_owner")
    await make_submolt(hub, "pins", owner=owner)
    ids = [(await new_post(owner, submolt="pins", title=f"p{i}"))["id"] for i in range(6)]
    for pinned in (ids[1], ids[3]):
        assert (await owner.post(f"{API}/posts/{pinned}/pin")).status_code == 200
    newest_first = ids[::-1]
    expected = [ids[3], ids[1]] + [i for i in newest_first if i not in (ids[1], ids[3])]
    assert await _ids(hub, "/submolts/pins/feed", sort="new") == expected
    assert await _ids(hub, "/posts", sort="new") == newest_first  # global: no pin priority
    for sort in ("new", "hot", "top", "rising"):
        for limit in (1, 2, 3, 5):
            walked = await _walk(hub, "/submolts/pins/feed", limit, sort=sort)
            assert sorted(walked) == sorted(ids) and walked[:2] == [ids[3], ids[1]], (sort, limit)
    offset_page = await _ids(hub, "/submolts/pins/feed", sort="new", limit=2, offset=1)
    assert offset_page == expected[1:3]


async def test_deleted_posts_are_never_listed(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    keep = (await new_post(alice, title="keep"))["id"]
    gone = (await new_post(alice, title="gone"))["id"]
    await bob.post(f"{API}/agents/{alice.name}/follow")
    assert (await alice.delete(f"{API}/posts/{gone}")).status_code == 200
    for sort in ("hot", "new", "top", "rising"):
        assert await _ids(hub, "/posts", sort=sort) == [keep]
        assert await _ids(hub, "/submolts/general/feed", sort=sort) == [keep]
        assert await _ids(bob, "/feed", sort=sort) == [keep]


async def test_list_marks_the_viewers_votes(hub: Hub) -> None:
    alice, bob = await hub.register(), await hub.register()
    up = (await new_post(alice, title="up"))["id"]
    down = (await new_post(alice, title="down"))["id"]
    await new_post(alice, title="none")
    await bob.post(f"{API}/posts/{up}/upvote")
    await bob.post(f"{API}/posts/{down}/downvote", json={})
    votes = {p["id"]: p["userVote"] for p in (await bob.get(f"{API}/posts")).json()["posts"]}
    assert (votes[up], votes[down]) == (1, -1) and list(votes.values()).count(None) == 1
    anonymous = (await hub.client.get(f"{API}/posts")).json()["posts"]
    assert all(p["userVote"] is None for p in anonymous)

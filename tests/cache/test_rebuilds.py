"""What a write rebuilds in the read cache, counted per kind of cached read
(`read_cache_builds_total`): a vote rebuilds only what shows the voted post, a comment only its
post's card and thread, and the callers' vote overlays stay exact throughout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from agent_hub import metrics
from agent_hub.cache import tags
from tests.cache.test_write_tags import bumped
from tests.conftest import Actor, Hub
from tests.posts.helpers import API, make_submolt, new_post


def builds() -> dict[str, float]:
    """Reads built from the database so far in this process, by kind: `card` (a listing card),
    `comments` (a thread page's index), `subtree` (a top-level comment with its replies), `post`
    (a post page built whole), `posts`, `submolt_posts`,
    `feed` (a listing's order)."""
    return {
        sample.labels["kind"]: sample.value
        for family in metrics.READ_CACHE_BUILDS.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    }


@contextmanager
def statements(hub: Hub, table: str) -> Iterator[list[str]]:
    """The SELECTs run on the hub's engine that read `table` (a substring of its name)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().lower().startswith("select") and table in statement.lower():
            seen.append(statement)

    engine = hub.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def moved(before: dict[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0) for k, v in builds().items() if v != before.get(k, 0)}


async def _read(actor: Actor, url: str) -> dict:
    resp = await actor.get(url)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_a_vote_rebuilds_only_the_pages_showing_the_voted_post(hub: Hub) -> None:
    a, b, voter, reader = [await hub.register() for _ in range(4)]
    await make_submolt(hub, "elsewhere")
    voted = await new_post(a, title="voted on")
    other = await new_post(b, submolt="elsewhere", title="left alone")
    comment = (await b.post(f"{API}/posts/{other['id']}/comments", json={"content": "hi"})).json()["comment"]
    assert (await reader.post(f"{API}/comments/{comment['id']}/upvote")).status_code == 200
    unrelated = [
        f"{API}/posts/{other['id']}",
        f"{API}/posts/{other['id']}/comments",
        f"{API}/submolts/elsewhere/feed?sort=hot",
    ]
    holding = [f"{API}/posts?sort=hot", f"{API}/posts?sort=new", f"{API}/submolts/general/feed?sort=new"]
    for url in [*unrelated, *holding, f"{API}/posts/{voted['id']}"]:
        for actor in (reader, voter):
            await _read(actor, url)

    assert (await voter.post(f"{API}/posts/{voted['id']}/upvote")).status_code == 200
    before = builds()
    for _ in range(2):
        post_page, thread, listing = [await _read(reader, url) for url in unrelated]
        assert post_page["comments"][0]["userVote"] == 1 and thread["comments"][0]["user_vote"] == 1
        assert [p["title"] for p in listing["posts"]] == ["left alone"]
    assert moved(before) == {}  # B's page, its thread and the other community: all from the cache

    page = await _read(voter, f"{API}/posts/{voted['id']}")
    assert page["post"]["score"] == 1 and page["post"]["userVote"] == 1
    assert (await _read(reader, f"{API}/posts/{voted['id']}"))["post"]["userVote"] is None
    # The voted post's card, and its thread (which depends on every change of the post).
    assert moved(before) == {"card": 1, "comments": 1}
    for url in holding:
        mine = {p["id"]: p for p in (await _read(voter, url))["posts"]}
        theirs = {p["id"]: p for p in (await _read(reader, url))["posts"]}
        assert mine[voted["id"]]["score"] == theirs[voted["id"]]["score"] == 1
        assert mine[voted["id"]]["userVote"] == 1 and theirs[voted["id"]]["userVote"] is None
    # The score orders were rebuilt (hot: both listings holding it), `new` was not; no card twice.
    assert moved(before) == {"card": 1, "comments": 1, "posts": 1}


async def test_a_comment_keeps_every_overlay_and_rebuilds_its_thread_once(hub: Hub) -> None:
    author, reader = await hub.register(), await hub.register()
    post = await new_post(author)
    first = (await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "first"})).json()["comment"]
    assert (await reader.post(f"{API}/posts/{post['id']}/upvote")).status_code == 200
    assert (await reader.post(f"{API}/comments/{first['id']}/upvote")).status_code == 200
    pages = [f"{API}/posts/{post['id']}", f"{API}/posts/{post['id']}/comments", f"{API}/posts?sort=new"]
    for url in pages:
        await _read(reader, url)

    with bumped(hub) as seen:
        resp = await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "second"})
        assert resp.status_code == 201
    assert tags.post(post["id"]) in set().union(*seen)
    assert tags.votes(post["id"]) not in set().union(*seen)  # nobody's vote moved
    assert not [s for s in seen if tags.EVERYTHING in s], seen
    before = builds()
    with statements(hub, "_votes") as queried:
        page, thread, listing = [await _read(reader, url) for url in pages]
    assert queried == []  # the reader's votes: from the cache (no vote moved)
    assert page["post"]["comment_count"] == 2 and page["post"]["userVote"] == 1
    assert [c["content"] for c in page["comments"]] == ["first", "second"]
    assert [c["userVote"] for c in page["comments"]] == [1, None]
    assert [c["user_vote"] for c in thread["comments"]] == [1, None]
    assert listing["posts"][0]["comment_count"] == 2 and listing["posts"][0]["userVote"] == 1
    # For the three pages: the post's card, its thread's index, and the new comment's subtree
    # (the first one's stayed cached).
    assert moved(before) == {"card": 1, "comments": 1, "subtree": 1}
    # The post page embeds the thread page's comments, cut out of its bytes (not parsed again).
    post_page, thread_page = [(await hub.client.get(url)).json() for url in pages[:2]]
    assert post_page["comments"] == thread_page["comments"] and len(post_page["comments"]) == 2
    spans = [e.parts for k, e in hub.app.state.read_cache._entries.items() if k[0] == "thread_page"]  # noqa: SLF001
    assert spans and all(isinstance(span, tuple) for span in spans)


async def test_a_reply_rebuilds_only_its_subtree_and_a_vote_reorders_the_thread(hub: Hub) -> None:
    author, replier, reader = [await hub.register() for _ in range(3)]
    post = await new_post(author)
    url = f"{API}/posts/{post['id']}/comments?sort=best"
    first, second = [
        (await author.post(f"{API}/posts/{post['id']}/comments", json={"content": c})).json()["comment"]
        for c in ("first", "second")
    ]
    assert (await reader.post(f"{API}/comments/{second['id']}/downvote")).status_code == 200
    assert [c["id"] for c in (await _read(reader, url))["comments"]] == [first["id"], second["id"]]

    before = builds()
    reply = (
        await replier.post(f"{API}/posts/{post['id']}/comments", json={"content": "re", "parent_id": first["id"]})
    ).json()["comment"]
    thread = await _read(reader, url)
    assert [r["content"] for r in thread["comments"][0]["replies"]] == ["re"]
    assert thread["comments"][1]["userVote"] == -1  # the reader's vote, laid over as before
    assert moved(before) == {"comments": 1, "subtree": 1}  # the index, and the replied-to subtree only

    before = builds()
    assert (await replier.delete(f"{API}/comments/{reply['id']}")).status_code == 200
    thread = await _read(reader, url)
    assert thread["comments"][0]["replies"][0]["content"] == "[deleted]"
    assert moved(before) == {"comments": 1, "subtree": 1}

    before = builds()  # a vote anywhere in the thread moves scores and order: every subtree
    assert (await reader.post(f"{API}/comments/{second['id']}/upvote")).status_code == 200
    assert (await replier.post(f"{API}/comments/{second['id']}/upvote")).status_code == 200
    thread = await _read(reader, url)
    assert [(c["id"], c["score"], c["userVote"]) for c in thread["comments"]] == [
        (second["id"], 2, 1),
        (first["id"], 0, None),
    ]
    assert (await _read(replier, url))["comments"][0]["userVote"] == 1
    assert moved(before) == {"comments": 1, "subtree": 2}

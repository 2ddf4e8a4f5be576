"""The read cache (src/agent_hub/cache): never stale after a write, on any replica; per-viewer
votes laid over shared entries; writes that no cached read shows keep the entries."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import event, update

from agent_hub.cache import ResponseCache, Versions
from agent_hub.cache.store import Entry
from agent_hub.cache.version import View
from agent_hub.posts.models import Post
from tests.conftest import Hub, HubFactory
from tests.posts.helpers import API, new_post


def _hits(hub: Hub) -> int:
    return hub.app.state.read_cache.hits


async def test_two_replicas_read_each_others_writes(make_hub: HubFactory, redis_url: str) -> None:
    a = await make_hub(redis_url=redis_url)
    b = await make_hub(redis_url=redis_url)
    author = await a.register()
    voter = await a.register()
    post = await new_post(author, title="first")
    assert [p["id"] for p in (await b.client.get(f"{API}/posts?sort=new")).json()["posts"]] == [post["id"]]
    assert (await b.client.get(f"{API}/posts/{post['id']}")).json()["post"]["score"] == 0
    before = _hits(b)
    assert (await b.client.get(f"{API}/posts?sort=new")).status_code == 200
    assert _hits(b) == before + 1  # nothing changed: served from b's cache

    assert (await voter.post(f"{API}/posts/{post['id']}/upvote")).status_code == 200  # served by a
    second = await new_post(author, title="second")
    assert (await voter.post(f"{API}/posts/{post['id']}/comments", json={"content": "hi"})).status_code == 201
    listed = (await b.client.get(f"{API}/posts?sort=new")).json()["posts"]
    assert [p["id"] for p in listed] == [second["id"], post["id"]]
    detail = (await b.client.get(f"{API}/posts/{post['id']}")).json()
    assert detail["post"]["score"] == 1 and detail["post"]["comment_count"] == 1
    assert [c["content"] for c in detail["comments"]] == ["hi"]
    assert (await b.client.get(f"{API}/posts/{post['id']}/comments")).json()["count"] == 1


async def test_votes_are_laid_over_per_viewer(hub: Hub) -> None:
    author = await hub.register()
    voter = await hub.register()
    other = await hub.register()
    post = await new_post(author)
    assert (await voter.post(f"{API}/posts/{post['id']}/downvote")).status_code == 200
    comment = (await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "root"})).json()["comment"]
    reply = (
        await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "reply", "parent_id": comment["id"]})
    ).json()["comment"]
    assert (await voter.post(f"{API}/comments/{reply['id']}/upvote")).status_code == 200

    for _ in range(2):  # a miss, then hits: the overlay is the same either way
        anon = (await hub.client.get(f"{API}/posts/{post['id']}")).json()
        mine = (await voter.get(f"{API}/posts/{post['id']}")).json()
        theirs = (await other.get(f"{API}/posts/{post['id']}")).json()
        assert anon["post"]["user_vote"] is None and theirs["post"]["userVote"] is None
        assert mine["post"]["user_vote"] == mine["post"]["userVote"] == -1
        assert mine["comments"][0]["replies"][0]["user_vote"] == 1
        assert anon["comments"][0]["replies"][0]["user_vote"] is None
        listed = (await voter.get(f"{API}/posts?sort=new")).json()
        assert listed["posts"][0]["userVote"] == -1 and listed["data"][0]["user_vote"] == -1
        assert (await hub.client.get(f"{API}/posts?sort=new")).json()["posts"][0]["userVote"] is None
        thread = (await voter.get(f"{API}/posts/{post['id']}/comments")).json()
        assert thread["comments"][0]["replies"][0]["userVote"] == 1
    assert _hits(hub) >= 5


async def test_writes_no_cached_read_shows_keep_the_entries(hub: Hub) -> None:
    author = await hub.register()
    await new_post(author)
    await hub.client.get(f"{API}/posts?sort=hot")
    assert (await author.post(f"{API}/inbox/read-all")).status_code == 200
    before = _hits(hub)
    await hub.client.get(f"{API}/posts?sort=hot")
    assert _hits(hub) == before + 1


async def test_a_commit_outside_requests_invalidates(hub: Hub) -> None:
    author = await hub.register()
    post = await new_post(author, title="old title")
    assert (await hub.client.get(f"{API}/posts/{post['id']}")).json()["post"]["title"] == "old title"
    async with hub.app.state.sessionmaker() as db, db.begin():  # as the media worker would
        await db.execute(update(Post).where(Post.id == post["id"]).values(title="new title"))
    assert (await hub.client.get(f"{API}/posts/{post['id']}")).json()["post"]["title"] == "new title"


async def test_a_refused_write_keeps_the_entries(hub: Hub) -> None:
    author = await hub.register()
    await new_post(author)
    await hub.client.get(f"{API}/posts")
    assert (await author.post(f"{API}/posts", json={"title": ""})).status_code == 400
    before = _hits(hub)
    await hub.client.get(f"{API}/posts")
    assert _hits(hub) == before + 1


async def test_cache_can_be_turned_off(make_hub: HubFactory) -> None:
    hub = await make_hub(read_cache_mb=0)
    author = await hub.register()
    await new_post(author)
    for _ in range(3):
        assert len((await hub.client.get(f"{API}/posts")).json()["posts"]) == 1
    assert _hits(hub) == 0 and len(hub.app.state.read_cache) == 0


def test_store_budget_age_and_validity() -> None:
    cache = ResponseCache(budget_bytes=80_000, max_age_seconds=60)
    body = b"x" * 3800  # costs about 4,000 bytes of budget with the entry's overhead
    for i in range(30):
        cache.put(i, Entry(body, ("*",), "e", 1))
    assert len(cache) <= 20 and cache.used <= cache.budget  # least recently used went first
    assert cache.peek(0) is None and cache.peek(29) is not None
    view = View("e", 5, {"*": 0, "post:a": 3})
    assert view.valid(("*", "post:a"), "e", 3) and not view.valid(("*", "post:a"), "e", 2)  # bumped after
    assert not view.valid(("*",), "another epoch", 9)
    cache.put("huge", Entry(b"x" * 12_000, (), "e", 1))  # over an eighth of the budget: never stored
    assert cache.peek("huge") is None
    short = ResponseCache(budget_bytes=80_000, max_age_seconds=0.05)
    short.put("k", Entry(body, (), "e", 1))
    time.sleep(0.1)
    assert short.peek("k") is None


async def test_versions_in_process_bump_only_their_tags() -> None:
    versions = Versions(None)
    before = await versions.read(["post:a", "post:b"])
    assert before is not None
    versions.bump({"post:a"})
    after = await versions.read(["post:a", "post:b"])
    assert after is not None and after.gen == before.gen + 1
    assert after.valid(["post:b"], before.epoch, before.gen) and not after.valid(["post:a"], before.epoch, before.gen)


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
async def test_unreachable_valkey_means_no_cache_not_an_error(url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        assert await Versions(redis).read(["post:a"]) is None
    finally:
        await redis.aclose()


async def test_a_burst_of_misses_builds_the_page_once(hub: Hub) -> None:
    author = await hub.register()
    for i in range(3):
        await new_post(author, title=f"p{i}")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if " ".join(statement.split()).lower().startswith("select") and "from posts" in statement.lower():
            statements.append(statement)

    engine = hub.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        replies = await asyncio.gather(*(hub.client.get(f"{API}/posts?sort=top") for _ in range(20)))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert {r.status_code for r in replies} == {200}
    assert {len(r.json()["posts"]) for r in replies} == {3}
    assert len(statements) == 1
    missing = await asyncio.gather(*(hub.client.get(f"{API}/posts/no-such-post") for _ in range(5)))
    assert {r.status_code for r in missing} == {404}  # a failed build: each waiter gets its own answer


async def test_a_vote_rebuilds_only_what_it_changed(hub: Hub) -> None:
    """A vote on one post leaves other posts' pages and threads and the `new` listing cached;
    the listing only rebuilds the voted post's card. A comment moves no listing either."""
    from tests.posts.helpers import make_submolt

    a, b, voter = await hub.register(), await hub.register(), await hub.register()
    await make_submolt(hub, "elsewhere")
    voted = await new_post(a, title="voted on")
    other = await new_post(b, submolt="elsewhere", title="left alone")
    assert (await voter.post(f"{API}/posts/{other['id']}/comments", json={"content": "hi"})).status_code == 201
    pages = [
        f"{API}/posts/{other['id']}",
        f"{API}/posts/{other['id']}/comments",
        f"{API}/submolts/elsewhere/feed?sort=hot",
        f"{API}/posts?sort=new",
    ]
    for url in pages:
        assert (await hub.client.get(url)).status_code == 200
    cache = hub.app.state.read_cache
    assert (await voter.post(f"{API}/posts/{voted['id']}/upvote")).status_code == 200
    hits, misses = cache.hits, cache.misses
    listed = [(await hub.client.get(url)).json() for url in pages]
    assert (cache.hits - hits, cache.misses - misses) == (len(pages), 0)  # every page still valid
    assert [p["score"] for p in listed[3]["posts"]] == [0, 1]  # ... with the voted post's new card
    assert (await hub.client.get(f"{API}/posts/{voted['id']}")).json()["post"]["score"] == 1

    assert (await voter.post(f"{API}/posts/{voted['id']}/comments", json={"content": "yo"})).status_code == 201
    hits = cache.hits
    listed = (await hub.client.get(f"{API}/posts?sort=new")).json()["posts"]
    assert cache.hits == hits + 1 and [p["comment_count"] for p in listed] == [1, 1]

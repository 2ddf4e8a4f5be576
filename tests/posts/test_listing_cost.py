"""Listings cost a constant number of queries (no N+1) and rising ranks a bounded window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from agent_hub.posts import listing
from tests.conftest import Hub, HubFactory
from tests.posts.helpers import API, new_post


@contextmanager
def selects(hub: Hub) -> Iterator[list[str]]:
    """SELECTs reading posts or post votes, on the engine and on the read lane (PostgreSQL:
    db/read_lane.py). Other domains' background loops share the engine, so statements on other
    tables are not attributed to the listing."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        text = " ".join(statement.split()).lower()
        if text.startswith("select") and ("from posts" in text or "from post_votes" in text):
            seen.append(statement)

    lane = hub.app.state.read_lane
    if lane is not None:
        rows = lane.rows

        async def recorded(query: Any, params: Any) -> Any:
            record(None, None, query.sql)
            return await rows(query, params)

        lane.rows = recorded
    engine = hub.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        if lane is not None:
            del lane.rows


async def _count(hub: Hub, path: str, **kw: Any) -> int:
    with selects(hub) as seen:
        resp = await hub.client.get(f"{API}{path}", **kw)
        assert resp.status_code == 200
    return len(seen)


async def test_queries_do_not_grow_with_the_page(make_hub: HubFactory) -> None:
    hub = await make_hub(read_cache_mb=0)  # the cost of building a page, not of a cache hit
    authors = [await hub.register() for _ in range(12)]
    await new_post(authors[0])
    await new_post(authors[1])
    reader = await hub.register()
    await reader.post(f"{API}/agents/{authors[0].name}/follow")
    small = {s: await _count(hub, "/posts", params={"sort": s}) for s in ("hot", "new", "top", "rising")}
    small_feed = await _count(hub, "/feed", headers=reader.headers)
    for author in authors[2:]:
        await new_post(author)
        await reader.post(f"{API}/agents/{author.name}/follow")
    for sort, count in small.items():
        assert await _count(hub, "/posts", params={"sort": sort}) == count, sort
    assert small["new"] == 1  # anonymous: posts joined with authors and submolts, nothing else
    assert small_feed == 2  # the feed page, and the reader's votes on it
    assert await _count(hub, "/feed", headers=reader.headers) == small_feed
    assert await _count(hub, "/posts", params={"sort": "new"}, headers=reader.headers) == 2


async def test_rising_ranks_only_the_newest_candidates(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "RISING_CANDIDATES", 3)
    author = await hub.register()
    ids = [(await new_post(author, title=f"r{i}"))["id"] for i in range(5)]
    rising = (await hub.client.get(f"{API}/posts", params={"sort": "rising"})).json()["posts"]
    assert sorted(p["id"] for p in rising) == sorted(ids[2:])

"""Many agents writing and reading at the same moment all succeed, on both engines: no request
waits for another while holding the connection (on SQLite, the write lock every transaction
takes at BEGIN IMMEDIATE) that the other needs (db/uow.release_connection)."""

from __future__ import annotations

import asyncio

from tests.conftest import Actor, HubFactory


async def test_thirty_agents_write_at_once(make_hub: HubFactory) -> None:
    hub = await make_hub()
    agents = [await hub.register() for _ in range(30)]
    author = await hub.register()
    first = await author.post("/api/v1/posts", json={"submolt": "general", "title": "target", "content": "x"})
    assert first.status_code == 201, first.text
    post_id = first.json()["post"]["id"]

    async def write(i: int) -> list[int]:
        actor = agents[i]
        made = await actor.post("/api/v1/posts", json={"submolt": "general", "title": f"post {i}", "content": "hello"})
        voted = await actor.post(f"/api/v1/posts/{post_id}/upvote")
        said = await actor.post(f"/api/v1/posts/{post_id}/comments", json={"content": f"comment {i}"})
        return [made.status_code, voted.status_code, said.status_code]

    statuses = await asyncio.gather(*(write(i) for i in range(30)))
    assert statuses == [[201, 200, 201]] * 30

    post = (await author.get(f"/api/v1/posts/{post_id}")).json()["post"]
    assert post["upvotes"] == 30
    assert post["comment_count"] == 30


async def test_thirty_agents_read_a_page_being_rebuilt(make_hub: HubFactory) -> None:
    """Readers of a page that is being rebuilt wait for that one build (cache/reads.py), and
    let go of their database connection first: the builder may need it (the pool's last one;
    on SQLite, the write lock). Anonymous readers start builds before
    touching the database; readers with a key not yet cached hold a transaction (the key
    lookup) when they find the build in flight."""
    hub = await make_hub(db_pool_size=2)
    author = await hub.register()
    made = await author.post("/api/v1/posts", json={"submolt": "general", "title": "first", "content": "x"})
    assert made.status_code == 201, made.text
    readers = [await hub.register() for _ in range(30)]  # each one's key not yet in the key cache

    async def read(actor: Actor | None) -> int:
        if actor is None:
            return (await hub.client.get("/api/v1/posts?sort=hot")).status_code
        return (await actor.get("/api/v1/posts?sort=hot")).status_code

    statuses = await asyncio.gather(*(read(r) for a in readers for r in (a, None)))
    assert statuses == [200] * 60

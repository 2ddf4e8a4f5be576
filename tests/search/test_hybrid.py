"""Hybrid search: meaning found once indexed, words found meanwhile, removals, media
descriptions, replicas catching up, paging, the backfill command (spec §6.7, live semantics)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import select, update

from agent_hub import events
from agent_hub.posts.models import Post
from agent_hub.search.indexing import SearchIndexer
from agent_hub.search.models import SearchIndexJob, SearchVector
from tests.comments.support import comment
from tests.conftest import Actor, Hub

LOGIN = ("Login credential expired", "Every morning my session is rejected and I have to sign in again.")
LOBSTER = ("Molting season", "The lobsters on the reef shed their shells this week.")
PARSER = ("Refactoring a parser", "I split the tokenizer from the grammar and the tests got faster.")


async def make_post(hub: Hub, author: Actor, title: str, content: str) -> str:
    """Through the API: the write declares its text change, and the index job commits with it."""
    resp = await author.post("/api/v1/posts", json={"submolt": "general", "title": title, "content": content})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["post"]["id"])


async def _search(hub: Hub, **params: object) -> dict:
    resp = await hub.client.get("/api/v1/search", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _index(hub: Hub) -> int:
    return await SearchIndexer(hub.app.state.sessionmaker).drain()


async def _ids(hub: Hub, **params: object) -> list[str]:
    return [r["id"] for r in (await _search(hub, **params))["results"]]


async def test_meaning_is_found_once_indexed_and_words_meanwhile(hub: Hub) -> None:
    me = await hub.register("writer")
    login = await make_post(hub, me, *LOGIN)
    lobster = await make_post(hub, me, *LOBSTER)
    await make_post(hub, me, *PARSER)
    # Not indexed yet: no word in common, nothing found; the response says what waits.
    lagging = await _search(hub, q="auth token problem")
    assert lagging["results"] == [] and lagging["mode"] == "hybrid"
    assert lagging["semantic"]["available"] is True and lagging["semantic"]["pending"] == 3
    assert lagging["semantic"]["lag_seconds"] >= 0
    # Words still find a document whose vector is not there yet.
    assert await _ids(hub, q="credential") == [login]

    assert await _index(hub) == 3
    found = await _search(hub, q="auth token problem")  # the indexer's commit dropped the cached answer
    # Only the post that means it: the others share no meaning with the query (hybrid.MIN_SIMILARITY).
    assert [r["id"] for r in found["results"]] == [login] and found["semantic"]["pending"] == 0
    assert 0.3 < found["results"][0]["similarity"] <= 1.0
    assert found["posts"][0]["id"] == login and found["posts"][0]["author"]["name"] == "writer"
    # A paraphrase of another post.
    assert (await _ids(hub, q="crustaceans losing their exoskeleton"))[0] == lobster


async def test_a_keyword_match_stays_on_top_of_fused_results(hub: Hub) -> None:
    me = await hub.register()
    exact = await make_post(hub, me, "Quokka sighting", "A quokka visited the camp.")
    await make_post(hub, me, *LOBSTER)
    await make_post(hub, me, *LOGIN)
    await _index(hub)
    body = await _search(hub, q="quokka")
    assert body["mode"] == "hybrid" and body["results"][0]["id"] == exact


async def test_comments_by_meaning_and_types(hub: Hub) -> None:
    me = await hub.register("typer")
    post = await make_post(hub, me, *PARSER)
    c = await comment(me, post, "My password reset email never arrives, so I cannot log in.")
    await _index(hub)
    comments = await _search(hub, q="account access trouble", type="comments")
    assert [r["id"] for r in comments["results"]] == [c["id"]]
    assert comments["results"][0]["post_id"] == post and comments["posts"] == []
    posts = await _search(hub, q="account access trouble", type="posts")
    assert all(r["type"] == "post" for r in posts["results"])
    both = await _search(hub, q="account access trouble")
    assert both["results"][0]["id"] == c["id"]


async def test_deleted_posts_and_comments_leave_the_results_and_the_index(hub: Hub) -> None:
    me = await hub.register()
    login = await make_post(hub, me, *LOGIN)
    keep = await make_post(hub, me, *PARSER)
    c = await comment(me, keep, "Sign-in keeps failing with an expired session for me too.")
    await _index(hub)
    assert login in await _ids(hub, q="auth token problem")
    assert (await me.delete(f"/api/v1/posts/{login}")).status_code == 200
    assert (await me.delete(f"/api/v1/comments/{c['id']}")).status_code == 200
    # Gone at once (the vector is still stored: search checks every hit is visible) ...
    ids = await _ids(hub, q="auth token problem")
    assert login not in ids and c["id"] not in ids
    # ... and from the index once the indexer ran the deletions' jobs.
    assert await _index(hub) == 2
    async with hub.app.state.sessionmaker() as db:
        rows = dict((await db.execute(select(SearchVector.target_id, SearchVector.vector))).all())
    assert rows[login] is None and rows[c["id"]] is None and rows[keep] is not None


async def test_media_descriptions_are_found_through_their_post(hub: Hub) -> None:
    me = await hub.register()
    shot = await make_post(hub, me, "look at this", "")
    await make_post(hub, me, *LOBSTER)
    await _index(hub)
    # What the media worker does when a description is ready: the text changes and the write
    # declares it, in the same transaction as the index job.
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(
            update(Post)
            .where(Post.id == shot)
            .values(media_description="Screenshot: terminal output, build failed with exit code 2 in CI")
        )
        events.emit(db, events.ContentChanged(post_id=shot, text=True))
        await events.flush(db)
    async with hub.app.state.sessionmaker() as db:
        queued = (await db.execute(select(SearchIndexJob.target_id))).scalars().all()
    assert queued == [shot]
    await _index(hub)
    assert (await _ids(hub, q="the screenshot where the compilation broke"))[0] == shot


async def test_another_replica_catches_up_with_the_indexer(make_hub, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    # Replicas share the read caches' invalidation through Valkey; each has its own vector index.
    first, second = await make_hub(redis_url=redis_url), await make_hub(redis_url=redis_url)
    me = await first.register()
    assert await _ids(second, q="auth token problem") == []  # its in-process index is loaded (empty)
    login = await make_post(first, me, *LOGIN)
    await _index(first)
    assert (await _ids(second, q="auth token problem")) == [login]


async def test_cursor_paging_over_fused_results(hub: Hub) -> None:
    me = await hub.register()
    for i in range(7):
        await make_post(hub, me, f"Lobster note {i}", f"lobster shells and reef number {i}")
    await _index(hub)
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, object] = {"q": "lobster reef", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = await _search(hub, **params)
        seen += [r["id"] for r in page["results"]]
        cursor = page["next_cursor"]
        assert page["has_more"] == (cursor is not None)
        if not cursor:
            break
    everything = await _ids(hub, q="lobster reef", limit=50)
    assert seen == everything and len(seen) == len(set(seen)) == 7


async def test_keyword_mode_when_semantic_search_is_off(make_hub) -> None:  # type: ignore[no-untyped-def]
    hub = await make_hub(search_semantic=False)
    me = await hub.register()
    login = await make_post(hub, me, *LOGIN)
    body = await _search(hub, q="credential")
    assert body["mode"] == "keyword" and body["semantic"]["available"] is False
    assert "AGENT_HUB_SEARCH_SEMANTIC" in body["semantic"]["reason"]
    assert [r["id"] for r in body["results"]] == [login]


async def test_backfill_command_indexes_everything_with_progress(hub: Hub, database_url: str) -> None:
    me = await hub.register()
    login = await make_post(hub, me, *LOGIN)
    reply = await comment(me, login, "Same here, it happens to me every day.")
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(SearchIndexJob.__table__.delete())  # as if written before indexing existed
    env = {**os.environ, "DATABASE_URL": database_url, "AGENT_HUB_DATA_DIR": str(hub.app.state.settings.data_dir)}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "agent_hub.cli", "search-index", "--backfill"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "queued 2 document(s)" in done.stdout and "indexed 2/2" in done.stdout, done.stdout
    assert (await _ids(hub, q="auth token problem"))[0] == login
    async with hub.app.state.sessionmaker() as db:
        stored = set((await db.execute(select(SearchVector.target_id))).scalars())
    assert stored == {login, reply["id"]}


async def test_nothing_related_finds_nothing(hub: Hub) -> None:
    me = await hub.register()
    await make_post(hub, me, *LOBSTER)
    await make_post(hub, me, *PARSER)
    await _index(hub)
    body = await _search(hub, q="quarterly tax filing deadline")
    assert body["mode"] == "hybrid" and body["results"] == []


async def test_the_storage_path_follows_the_database(hub: Hub, engine_name: str) -> None:
    """pgvector's column and HNSW index where the extension is available; elsewhere the vectors
    live in the table only and each replica ranks them in memory."""
    from agent_hub.search import hybrid

    async with hub.app.state.sessionmaker() as db:
        assert await hybrid.uses_pgvector(db) is (engine_name == "pgvector")
        if engine_name == "pgvector":
            from sqlalchemy import text

            plan = "\n".join(
                r[0]
                for r in await db.execute(
                    text(
                        "EXPLAIN SELECT target_id FROM search_vectors ORDER BY embedding <=> CAST(:q AS vector) LIMIT 5"
                    ),
                    {"q": "[" + ",".join(["0.05"] * 384) + "]"},
                )
            )
            assert "ix_search_vectors_hnsw" in plan, plan


async def test_a_refused_write_queues_nothing(hub: Hub) -> None:
    me = await hub.register()
    post = await make_post(hub, me, *LOGIN)
    await _index(hub)
    refused = await me.post("/api/v1/posts/no-such-post/comments", json={"content": "lost words"})
    assert refused.status_code == 404
    orphan = await me.post(f"/api/v1/posts/{post}/comments", json={"content": "x", "parent_id": "missing"})
    assert orphan.status_code == 404
    async with hub.app.state.sessionmaker() as db:
        assert (await db.execute(select(SearchIndexJob.id))).all() == []

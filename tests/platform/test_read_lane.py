"""The read lane (db/read_lane.py): the read caches' rebuilds run straight on asyncpg, outside
any session, and read exactly what the session would have read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from agent_hub.comments import repository as comments_repo
from agent_hub.comments.keyset import load_values
from agent_hub.db.read_lane import session_reader
from agent_hub.posts import repository as posts_repo
from agent_hub.posts.schemas import post_out
from tests.cache.test_rebuilds import builds, moved
from tests.conftest import Hub
from tests.platform.test_write_round_trips import trips
from tests.posts.helpers import API, new_post

pytestmark = pytest.mark.postgres_only


async def test_a_card_rebuilt_on_the_lane_reads_as_the_sessions_does(hub: Hub) -> None:
    author = await hub.register()
    post = await new_post(author)
    # Every kind of column a card shows: media (a float among them), a removal time (UTC), an
    # author's display name and JSON metadata (selected, never shown).
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(
            text(
                "UPDATE posts SET media_key = 'media/x.png', media_type = 'image', media_status = 'ready', "
                "media_duration_seconds = 1.5, media_width = 640, updated_at = now() WHERE id = :id"
            ),
            {"id": post["id"]},
        )
        await db.execute(
            text("UPDATE agents SET display_name = 'Shown Name', metadata = '{\"a\": [1]}' WHERE id = :id"),
            {"id": post["author"]["id"]},
        )
    lane = hub.app.state.read_lane
    async with hub.app.state.sessionmaker() as db:
        on_lane = await posts_repo.cards_by_ids(lane.rows, [post["id"], "missing"])
        in_session = await posts_repo.cards_by_ids(session_reader(db), [post["id"]])
        orm = await posts_repo.rows_by_ids(db, [post["id"]])
    assert set(on_lane) == {post["id"]}
    shown = [post_out(*rows[post["id"]]).model_dump(mode="json", by_alias=True) for rows in (on_lane, in_session, orm)]
    assert shown[0] == shown[1] == shown[2]
    assert shown[0]["media_duration_seconds"] == 1.5 and shown[0]["author"]["display_name"] == "Shown Name"
    post_row, author_row, _ = on_lane[post["id"]]
    assert post_row.created_at.tzinfo is not None and post_row.updated_at.utcoffset().total_seconds() == 0
    assert author_row.agent_metadata == {"a": [1]}  # decoded, as the engine's connections decode it


async def test_a_thread_index_on_the_lane_pages_as_the_sessions_does(hub: Hub) -> None:
    author, voter = await hub.register(), await hub.register()
    post = await new_post(author)
    made = []
    for i in range(7):
        resp = await author.post(f"{API}/posts/{post['id']}/comments", json={"content": f"comment {i}"})
        made.append(resp.json()["comment"]["id"])
    for comment_id in made[2:5]:
        assert (await voter.post(f"{API}/comments/{comment_id}/upvote")).status_code == 200
    lane = hub.app.state.read_lane
    async with hub.app.state.sessionmaker() as db:
        for sort in ("best", "top", "new", "old", "controversial"):
            pages = []
            for read in (lane.rows, session_reader(db)):
                first = await comments_repo.page_root_keys(read, post["id"], sort, 3)
                offset = await comments_repo.page_root_keys(read, post["id"], sort, 3, offset=2)
                keys = comments_repo.ROOT_KEYS[sort]
                after = None
                if keys is not None:  # the next page after the first, from its cursor's values
                    values = load_values(keys, [_dumped(getattr(first[-1], c.key)) for c, _ in keys])
                    after = await comments_repo.page_root_keys(read, post["id"], sort, 3, after_values=values)
                pages.append(([r.id for r in first], [r.id for r in offset], after and [r.id for r in after]))
            assert pages[0] == pages[1], sort
            assert len(pages[0][0]) == 3 and pages[0][0][2:] == pages[0][1][:1]
        assert await comments_repo.readable_post(lane.rows, post["id"])
        assert not await comments_repo.readable_post(lane.rows, "no-such-post")


def _dumped(value: object) -> object:
    """A cursor value as it travels (keyset.dump_value): datetimes as tagged ISO strings."""
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


async def test_a_comment_rebuilds_card_index_and_subtree_without_a_session(hub: Hub) -> None:
    author, reader = await hub.register(), await hub.register()
    post = await new_post(author)
    pages = [f"{API}/posts/{post['id']}", f"{API}/posts/{post['id']}/comments", f"{API}/posts?sort=new"]
    for url in pages:
        assert (await reader.get(url)).status_code == 200
    assert (await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "new"})).status_code == 201
    before = builds()
    with trips(hub) as sent:
        bodies = [(await reader.get(url)).json() for url in pages]
    assert moved(before) == {"card": 1, "comments": 1, "subtree": 1}
    # The card, the thread's index and the new comment's subtree all came from the lane: the
    # engine ran nothing, not even a BEGIN (the reader's key and votes were cached).
    assert sent == [], sent
    assert bodies[0]["post"]["comment_count"] == 1 and bodies[2]["posts"][0]["comment_count"] == 1
    assert [c["content"] for c in bodies[1]["comments"]] == ["new"]
    assert datetime.fromisoformat(bodies[0]["post"]["created_at"]).tzinfo == UTC

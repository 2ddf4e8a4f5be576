"""The slice end to end: an image post via multipart is stored, described by the worker, shown."""

from __future__ import annotations

from tests.conftest import Hub
from tests.media import samples
from tests.media_api.helpers import API, drain, get_post, stored_objects, upload_post


async def test_image_post_is_stored_described_and_shown(hub: Hub) -> None:
    me = await hub.register()
    resp = await upload_post(me, samples.two_colour((800, 600), "JPEG"), filename="../../etc/passwd", content="hi")
    assert resp.status_code == 201, resp.text
    post = resp.json()["post"]
    assert post["media_type"] == "image" and post["media_status"] == "pending"
    assert post["media_description"] is None
    assert post["media_width"] == 800 and post["media_height"] == 600
    assert post["media_url"].startswith("http://localhost:8000/api/v1/media/media/")
    assert post["media_url"].endswith(".jpg") and "passwd" not in post["media_url"]
    assert post["media_thumbnail_url"].endswith(".thumb.webp")
    assert len(stored_objects(hub)) == 2

    assert await drain(hub) == 1
    shown = await get_post(me, post["id"])
    assert shown["media_status"] == "ready"
    assert shown["media_description"].startswith("Image 800x600 JPEG")

    listed = (await me.get(f"{API}/posts?sort=new")).json()["posts"][0]
    assert listed["id"] == post["id"] and listed["media_status"] == "ready"

    path = post["media_url"].removeprefix("http://localhost:8000")
    got = await me.get(path)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert got.content[:3] == b"\xff\xd8\xff"


async def test_json_posts_unchanged(hub: Hub) -> None:
    me = await hub.register()
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "plain"})
    assert resp.status_code == 201
    post = resp.json()["post"]
    assert post["media_url"] is None and post["media_status"] is None

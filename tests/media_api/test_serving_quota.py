"""Serving headers and ranges; the per-agent quota; media on comments; avatars and banners."""

from __future__ import annotations

from PIL import Image

from tests.conftest import Hub, HubFactory
from tests.media import samples
from tests.media_api.helpers import API, db_counts, drain, get_post, stored_objects, upload_post

BASE = "http://localhost:8000"


def png(size: tuple[int, int] = (64, 64), colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return samples.encode(Image.new("RGB", size, colour), "PNG")


async def test_serving_headers_etag_and_ranges(hub: Hub, tone: bytes) -> None:
    me = await hub.register()
    resp = await upload_post(me, tone, filename="x.html", content="listen")
    assert resp.status_code == 201, resp.text
    post = resp.json()["post"]
    assert post["media_type"] == "audio" and post["media_duration_seconds"] == 5.0
    assert post["media_thumbnail_url"] is None and post["media_width"] is None
    path = post["media_url"].removeprefix(BASE)
    assert path.endswith(".wav")
    anon = hub.client
    got = await anon.get(path)
    assert got.status_code == 200 and got.content == tone
    h = got.headers
    assert h["content-type"] == "audio/wav"
    assert h["content-disposition"] == f'inline; filename="{path.rsplit("/", 1)[-1]}"'
    assert h["x-content-type-options"] == "nosniff"
    assert h["content-security-policy"] == "sandbox; default-src 'none'"
    assert h["cache-control"] == "public, max-age=31536000, immutable"
    assert h["accept-ranges"] == "bytes" and h["etag"].startswith('"')
    assert "location" not in h

    again = await anon.get(path, headers={"If-None-Match": h["etag"]})
    assert again.status_code == 304 and again.content == b""

    part = await anon.get(path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == tone[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(tone)}"
    tail = await anon.get(path, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == tone[-10:]
    bad = await anon.get(path, headers={"Range": "bytes=999999999-"})
    assert bad.status_code == 416
    head = await anon.head(path)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(tone))

    thumb = await anon.get((await upload_post(me, png())).json()["post"]["media_thumbnail_url"].removeprefix(BASE))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"


async def test_serving_refuses_unknown_and_traversal(hub: Hub) -> None:
    for path in ("media/ab/nothere.png", "media/ab/x.html", "../etc/passwd", "media/%2e%2e/x.png", "media/ab/x"):
        resp = await hub.client.get(f"{API}/media/{path}")
        assert resp.status_code == 404, path
        assert resp.json()["success"] is False


async def test_quota_refuses_with_hint_and_leaves_nothing(make_hub: HubFactory) -> None:
    def noise() -> bytes:
        return samples.encode(Image.frombytes("RGB", (300, 300), __import__("os").urandom(300 * 300 * 3)), "PNG")

    first = noise()
    hub = await make_hub(media_quota_bytes=int(len(first) * 1.6))
    me = await hub.register()
    resp = await upload_post(me, first)
    assert resp.status_code == 201, resp.text
    before_objects, before_db = stored_objects(hub), await db_counts(hub)
    resp = await upload_post(me, noise())
    assert resp.status_code == 413, resp.text
    body = resp.json()
    assert body["code"] == "QUOTA_EXCEEDED" and "quota" in body["error"].lower() and "MB" in body["hint"]
    assert stored_objects(hub) == before_objects and await db_counts(hub) == before_db
    other = await hub.register()  # quotas are per agent
    assert (await upload_post(other, png())).status_code == 201


async def test_comment_with_voice_note(hub: Hub, tone: bytes) -> None:
    me = await hub.register()
    post = (await me.post(f"{API}/posts", json={"submolt": "general", "title": "thread"})).json()["post"]
    resp = await me.post(
        f"{API}/posts/{post['id']}/comments", data={}, files={"media": ("note.wav", tone, "audio/wav")}
    )
    assert resp.status_code == 201, resp.text
    comment = resp.json()["comment"]
    assert comment["content"] == "[audio]" and comment["media_status"] == "pending"
    reply = await me.post(
        f"{API}/posts/{post['id']}/comments",
        data={"content": "a picture", "parent_id": comment["id"]},
        files={"media": ("p.png", png(), "image/png")},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["comment"]["parent_id"] == comment["id"]
    assert await drain(hub) == 2
    tree = await get_post(me, post["id"])
    detail = (await me.get(f"{API}/posts/{post['id']}")).json()["comments"]
    assert tree["comment_count"] == 2
    assert detail[0]["media_status"] == "ready" and detail[0]["media_description"].startswith("Audio 5.0 s")
    assert detail[0]["replies"][0]["media_type"] == "image"
    plain = await me.post(f"{API}/posts/{post['id']}/comments", json={"content": "json still works"})
    assert plain.status_code == 201 and plain.json()["comment"]["media_url"] is None


async def test_agent_avatar_upload_replace_delete(hub: Hub, tone: bytes) -> None:
    me = await hub.register()
    resp = await me.post(f"{API}/agents/me/avatar", files={"file": ("a.png", png(), "image/png")})
    assert resp.status_code == 200, resp.text
    first = resp.json()["avatar_url"]
    assert resp.json()["success"] is True and resp.json()["message"]
    assert (await me.get(f"{API}/agents/me")).json()["agent"]["avatar_url"] == first
    assert len(stored_objects(hub)) == 1
    resp = await me.post(f"{API}/agents/me/avatar", files={"file": ("b.png", png(colour=(1, 2, 3)), "image/png")})
    second = resp.json()["avatar_url"]
    assert second != first and stored_objects(hub) == [second.split("/api/v1/media/")[1]]
    assert (await db_counts(hub))["objects"] == 1
    assert (await me.post(f"{API}/agents/me/avatar", files={"file": ("t.wav", tone)})).status_code == 415
    big = samples.encode(Image.frombytes("RGB", (700, 700), __import__("os").urandom(700 * 700 * 3)), "PNG")
    assert (await me.post(f"{API}/agents/me/avatar", files={"file": ("big.png", big)})).status_code == 413
    resp = await me.delete(f"{API}/agents/me/avatar")
    assert resp.status_code == 200 and resp.json()["avatar_url"] is None
    assert (await me.get(f"{API}/agents/me")).json()["agent"]["avatar_url"] is None
    assert stored_objects(hub) == [] and await db_counts(hub) == {"posts": 0, "jobs": 0, "objects": 0, "used": 0}


async def test_submolt_avatar_banner_and_settings_form(hub: Hub) -> None:
    owner = await hub.register()
    outsider = await hub.register()
    assert (await owner.post(f"{API}/submolts", json={"name": "pictures", "description": "pics"})).status_code == 201
    resp = await owner.post(f"{API}/submolts/pictures/banner", files={"file": ("b.png", png((900, 200)))})
    assert resp.status_code == 200, resp.text
    banner = resp.json()["banner_url"]
    assert resp.json()["submolt"]["banner_url"] == banner
    resp = await owner.post(
        f"{API}/submolts/pictures/settings", data={"type": "avatar"}, files={"file": ("a.png", png())}
    )
    assert resp.status_code == 200, resp.text
    shown = (await owner.get(f"{API}/submolts/pictures")).json()
    sub = shown.get("submolt", shown)
    assert sub["avatar_url"] == resp.json()["avatar_url"] and sub["banner_url"] == banner
    before = stored_objects(hub)
    resp = await outsider.post(f"{API}/submolts/pictures/avatar", files={"file": ("a.png", png())})
    assert resp.status_code == 403
    resp = await owner.post(
        f"{API}/submolts/pictures/settings", data={"type": "logo"}, files={"file": ("a.png", png())}
    )
    assert resp.status_code == 400
    assert stored_objects(hub) == before


async def test_upload_paths_without_multipart_say_so(hub: Hub) -> None:
    me = await hub.register()
    for path in ("/agents/me/avatar", "/submolts/general/avatar", "/submolts/general/banner"):
        resp = await me.post(f"{API}{path}", json={"file": "x"})
        assert resp.status_code == 415 and "multipart" in resp.json()["error"], path

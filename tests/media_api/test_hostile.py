"""Hostile uploads through the API: each is refused with the envelope and leaves nothing behind
(no post, no job, no ledger row, no quota charge, no stored object, no spool file)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import Hub, HubFactory
from tests.media import samples
from tests.media_api.helpers import API, db_counts, spool_files, stored_objects, upload_post

EMPTY = {"posts": 0, "jobs": 0, "objects": 0, "used": 0}


async def assert_nothing_left(hub: Hub) -> None:
    assert await db_counts(hub) == EMPTY
    assert stored_objects(hub) == []
    assert spool_files(hub) == []


def png(size: tuple[int, int] = (64, 64)) -> bytes:
    return samples.encode(Image.new("RGB", size, (200, 30, 30)), "PNG")


HOSTILE = {
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', 415, "markup"),
    "html": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", 415, "markup"),
    "zip_named_png": (b"PK\x03\x04" + b"\x00" * 200, 415, "Unsupported file type"),
    "exe": (b"MZ\x90\x00" + b"\x00" * 200, 415, "Unsupported file type"),
    "png_magic_then_garbage": (b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, 400, ""),
    "pixel_bomb": (samples.pixel_bomb_png(20000), 400, ""),
    "truncated_png": (png((300, 300))[:-200], 400, ""),
    "truncated_jpeg": (samples.two_colour((640, 480), "JPEG")[:2000], 400, ""),
    "empty": (b"", 415, "empty"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_file_refused_and_nothing_left(hub: Hub, name: str) -> None:
    data, status, words = HOSTILE[name]
    me = await hub.register()
    resp = await upload_post(me, data, filename="cat.png")
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["success"] is False and body["error"] and body["hint"] and body["code"]
    assert words.lower() in body["error"].lower()
    await assert_nothing_left(hub)


async def test_over_long_audio_refused(make_hub: HubFactory, tone: bytes) -> None:
    hub = await make_hub(media_audio_max_seconds=2.0)
    me = await hub.register()
    resp = await upload_post(me, tone, filename="tone.wav")
    assert resp.status_code == 400 and "long" in resp.json()["error"].lower(), resp.text
    await assert_nothing_left(hub)


async def test_truncated_audio_refused(hub: Hub, tone: bytes) -> None:
    me = await hub.register()
    resp = await upload_post(me, tone[:40_000], filename="tone.wav")
    assert resp.status_code == 400, resp.text
    await assert_nothing_left(hub)


async def test_too_large_streaming_413(make_hub: HubFactory) -> None:
    hub = await make_hub(media_image_max_bytes=20_000)
    me = await hub.register()
    noisy = Image.frombytes("RGB", (200, 200), __import__("os").urandom(200 * 200 * 3))
    data = samples.encode(noisy, "PNG")
    assert len(data) > 20_000
    resp = await upload_post(me, data, filename="big.png")
    assert resp.status_code == 413 and resp.json()["code"] == "PAYLOAD_TOO_LARGE"
    await assert_nothing_left(hub)


async def test_declared_length_checked_before_reading(hub: Hub) -> None:
    me = await hub.register()
    calls = 0

    async def body():  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        yield b"--x\r\n"

    resp = await me.post(  # avatars: 1 MB cap, far below the app-wide 26 MB multipart limit
        f"{API}/agents/me/avatar",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(5 * 1024 * 1024)},
    )
    assert resp.status_code == 413 and resp.json()["error"] == "The upload is too large"
    assert calls <= 1


async def test_media_type_mismatch_and_invalid(hub: Hub, tone: bytes) -> None:
    me = await hub.register()
    resp = await upload_post(me, png(), media_type="audio")
    assert resp.status_code == 400 and "media_type says audio" in resp.json()["error"]
    resp = await upload_post(me, tone, media_type="image")
    assert resp.status_code == 400
    resp = await upload_post(me, png(), media_type="video")
    assert resp.status_code == 400 and resp.json()["error"] == "Invalid media_type"
    await assert_nothing_left(hub)


async def test_invalid_post_fields_store_nothing(hub: Hub) -> None:
    me = await hub.register()
    resp = await upload_post(me, png(), title="")
    assert resp.status_code == 400
    resp = await upload_post(me, png(), submolt="no_such_place")
    assert resp.status_code == 404
    await assert_nothing_left(hub)


async def test_anonymous_and_bad_key_refused(hub: Hub) -> None:
    resp = await hub.client.post(
        f"{API}/posts", data={"title": "x", "submolt": "general"}, files={"media": ("a.png", png(), "image/png")}
    )
    assert resp.status_code == 401
    resp = await hub.client.post(
        f"{API}/posts",
        data={"title": "x", "submolt": "general"},
        files={"media": ("a.png", png(), "image/png")},
        headers={"Authorization": "Bearer moltbook_nope"},
    )
    assert resp.status_code == 401
    await assert_nothing_left(hub)


async def test_two_files_refused(hub: Hub) -> None:
    me = await hub.register()
    resp = await me.post(
        f"{API}/posts",
        data={"title": "x", "submolt": "general"},
        files=[("media", ("a.png", png(), "image/png")), ("file", ("b.png", png(), "image/png"))],
    )
    assert resp.status_code == 400 and "one file" in resp.json()["error"]
    await assert_nothing_left(hub)


async def test_polyglot_is_reencoded(hub: Hub) -> None:
    """A PNG with a ZIP/HTML tail is stored as our own re-encoding: the tail is gone."""
    me = await hub.register()
    resp = await upload_post(me, png() + b"<html><script>alert(1)</script></html>")
    assert resp.status_code == 201, resp.text
    stored = await me.get(resp.json()["post"]["media_url"].removeprefix("http://localhost:8000"))
    assert b"<script>" not in stored.content
    Image.open(io.BytesIO(stored.content)).verify()

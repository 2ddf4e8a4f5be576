"""Streaming uploads: type decided from the first bytes, size cap enforced while streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.datastructures import UploadFile

from agent_hub.errors import PayloadTooLarge, UnsupportedMediaType
from agent_hub.media.spool import spool_upload
from agent_hub.media.validation import tmp_dir, validate_upload

from . import samples


class CountingStream:
    """An async byte stream that records how much of it was consumed."""

    def __init__(self, head: bytes, total: int, chunk: int = 64 * 1024) -> None:
        self.head, self.total, self.chunk, self.sent = head, total, chunk, 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[bytes]:
        data = self.head
        while self.sent < self.total:
            piece = (data or b"\x00" * self.chunk)[: self.chunk]
            data = data[len(piece) :]
            self.sent += len(piece)
            yield piece


async def test_oversized_stream_stops_at_cap_and_leaves_no_temp_file(make_settings) -> None:
    settings = make_settings(media_image_max_bytes=200_000)
    stream = CountingStream(samples.two_colour(fmt="PNG")[:100], total=50_000_000)
    with pytest.raises(PayloadTooLarge) as info:
        await validate_upload(stream, settings)
    assert info.value.status == 413 and "image" in info.value.error
    assert stream.sent < 200_000 + 2 * 64 * 1024, "kept reading after the cap was crossed"
    assert list(tmp_dir(settings).iterdir()) == []


async def test_audio_cap_is_separate(make_settings, tone_wav: Path) -> None:
    settings = make_settings(media_audio_max_bytes=50_000)
    stream = CountingStream(tone_wav.read_bytes()[:4096], total=10_000_000)  # noqa: ASYNC240
    with pytest.raises(PayloadTooLarge) as info:
        await validate_upload(stream, settings)
    assert "audio" in info.value.error
    assert list(tmp_dir(settings).iterdir()) == []


async def test_html_refused_before_reading_the_rest(settings) -> None:
    stream = CountingStream(b"<!DOCTYPE html><html><script>alert(1)</script>" + b" " * 8000, total=5_000_000)
    with pytest.raises(UnsupportedMediaType) as info:
        await validate_upload(stream, settings)
    assert info.value.status == 415 and "markup" in info.value.error
    assert stream.sent <= 8 * 1024
    assert list(tmp_dir(settings).iterdir()) == []


async def test_upload_file_name_and_header_are_ignored(settings, tmp_path: Path) -> None:
    import io

    from starlette.datastructures import Headers

    upload = UploadFile(
        io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        filename="cat.png",
        headers=Headers({"content-type": "image/png"}),
    )
    with pytest.raises(UnsupportedMediaType):
        await validate_upload(upload, settings)
    png = UploadFile(io.BytesIO(samples.two_colour(fmt="PNG")), filename="evil.html")
    result = await validate_upload(png, settings)
    assert result.content_type == "image/png" and result.ext == "png"


async def test_expect_kind_mismatch_is_415(settings, tone_wav: Path) -> None:
    async def chunks():
        yield tone_wav.read_bytes()  # noqa: ASYNC240

    with pytest.raises(UnsupportedMediaType):
        await validate_upload(chunks(), settings, expect="image")


async def test_small_file_spooled_whole(tmp_path: Path) -> None:
    data = samples.two_colour(size=(16, 16), fmt="GIF")

    async def chunks():
        yield data[:5]
        yield data[5:]

    spooled = await spool_upload(chunks(), lambda _t: 1_000_000, tmp_dir=tmp_path)
    try:
        assert spooled.path.read_bytes() == data and spooled.size == len(data)
        assert spooled.media_type.content_type == "image/gif"
    finally:
        spooled.discard()
    assert not spooled.path.exists()


async def test_empty_upload_refused(tmp_path: Path) -> None:
    async def chunks():
        return
        yield b""

    with pytest.raises(UnsupportedMediaType):
        await spool_upload(chunks(), lambda _t: 10, tmp_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []  # noqa: ASYNC240

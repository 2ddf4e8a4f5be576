"""The type comes from the bytes: every accepted format is recognised, everything else is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from agent_hub.media.sniff import sniff

from . import samples


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_images_recognised(fmt: str, content_type: str) -> None:
    data = samples.encode(Image.new("RGB", (8, 8), "red"), fmt)
    media_type = sniff(data)
    assert media_type is not None and media_type.content_type == content_type


@pytest.mark.parametrize(
    ("container", "codec", "ext", "content_type"),
    [
        ("mp3", "libmp3lame", "mp3", "audio/mpeg"),
        ("ipod", "aac", "m4a", "audio/mp4"),
        ("webm", "libopus", "webm", "audio/webm"),
        ("ogg", "vorbis", "ogg", "audio/ogg"),
    ],
)
def test_audio_recognised(
    tone_wav: Path, tmp_path: Path, container: str, codec: str, ext: str, content_type: str
) -> None:
    encoded = samples.transcode(tone_wav, tmp_path / f"a.{ext}", container, codec)
    media_type = sniff(encoded.read_bytes()[:4096])
    assert media_type is not None and (media_type.content_type, media_type.ext) == (content_type, ext)
    wav = sniff(tone_wav.read_bytes()[:64])
    assert wav is not None and wav.content_type == "audio/wav"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<svg onload=alert(1)>",
        b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"\x7fELF\x02\x01\x01\x00",
        b"GIF88a not a gif",
        b"RIFF\x00\x00\x00\x00AVI LIST",
        b"\x1a\x45\xdf\xa3\x01\x00\x00\x00matroska video",
        b"\x00\x00\x00\x18ftypqt  \x00\x00\x02\x00",
        b"just some text that claims to be photo.png",
        b"",
    ],
)
def test_everything_else_rejected(data: bytes) -> None:
    assert sniff(data) is None

"""Audio validation: duration measured by decoding, over-long and broken files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_hub.errors import BadRequest, UnsupportedMediaType
from agent_hub.media.validation import tmp_dir, validate_file

from . import samples


@pytest.mark.parametrize(
    ("container", "codec", "ext", "content_type"),
    [
        ("wav", None, "wav", "audio/wav"),
        ("mp3", "libmp3lame", "mp3", "audio/mpeg"),
        ("ipod", "aac", "m4a", "audio/mp4"),
        ("webm", "libopus", "webm", "audio/webm"),
        ("ogg", "vorbis", "ogg", "audio/ogg"),
    ],
)
async def test_formats_accepted_with_decoded_duration(
    settings, tone_wav: Path, tmp_path: Path, container: str, codec: str | None, ext: str, content_type: str
) -> None:
    src = tone_wav if codec is None else samples.transcode(tone_wav, tmp_path / f"t.{ext}", container, codec)
    result = await validate_file(src, settings)
    try:
        assert (result.content_type, result.ext) == (content_type, ext)
        assert result.duration_seconds == pytest.approx(5.0, abs=0.15)  # AAC adds priming samples
        assert result.path.read_bytes() == src.read_bytes()  # original bytes kept
    finally:
        result.discard()
    assert not result.path.exists()


async def test_over_long_audio_refused(make_settings, audio_dir: Path) -> None:
    settings = make_settings(media_audio_max_seconds=5)
    long = samples.sox_synth(audio_dir / "long.wav", 6, "synth", "sine", "300")
    with pytest.raises(BadRequest) as info:
        await validate_file(long, settings)
    assert "too long" in info.value.error and "5 seconds" in (info.value.hint or "")
    assert list(tmp_dir(settings).iterdir()) == []


async def test_lying_header_does_not_help(make_settings, tmp_path: Path, audio_dir: Path) -> None:
    """A WAV whose header claims 1 s but holds 6 s is measured at 6 s by decoding."""
    settings = make_settings(media_audio_max_seconds=5)
    data = bytearray(samples.sox_synth(audio_dir / "long2.wav", 6, "synth", "sine", "300").read_bytes())
    riff_at = data.index(b"data")
    data[riff_at + 4 : riff_at + 8] = (16000 * 2).to_bytes(4, "little")  # 1 s of 16-bit mono
    liar = tmp_path / "liar.wav"
    liar.write_bytes(bytes(data))
    import av

    with av.open(str(liar)) as container:  # the header does claim about a second
        assert container.duration is not None and container.duration / av.time_base < 2
    try:
        result = await validate_file(liar, settings)
    except BadRequest as exc:
        assert "too long" in exc.error
    else:  # FFmpeg stops at the declared size: then only ~1 s is real audio and it is stored as such
        result.discard()
        assert result.duration_seconds < 2


async def test_truncated_audio_refused(settings, tone_wav: Path, tmp_path: Path) -> None:
    data = tone_wav.read_bytes()  # noqa: ASYNC240
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(BadRequest) as info:
        await validate_file(cut, settings)
    assert "truncated" in info.value.error


async def test_garbage_after_magic_refused(settings, tmp_path: Path) -> None:
    for name, head in [
        ("x.ogg", b"OggS\x00\x02"),
        ("x.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00"),
        ("x.webm", b"\x1a\x45\xdf\xa3webm"),
    ]:
        path = tmp_path / name
        path.write_bytes(head + bytes(range(256)) * 40)
        with pytest.raises(BadRequest):
            await validate_file(path, settings)
    assert list(tmp_dir(settings).iterdir()) == []


async def test_video_refused(settings, tmp_path: Path) -> None:
    import av
    import numpy as np

    path = tmp_path / "v.webm"
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises((UnsupportedMediaType, BadRequest)):
        await validate_file(path, settings)

"""Check an uploaded audio file by decoding it (PyAV, which bundles FFmpeg).

Why decode: the duration in a container header is whatever the uploader wrote; only decoding
tells how long the audio really is and whether it is playable at all. Decoding stops as soon as
the limit is crossed, so a tiny file that claims (or really holds) hours costs at most the limit.
The original bytes are kept (no re-encode): audio containers carry no script payloads a browser
would run, and we serve them with the sniffed ``Content-Type`` and ``nosniff``.

Truncation: if the container declares a duration and the decodable audio is clearly shorter,
the file is refused as truncated (the declared value is used only for that comparison).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.error

from agent_hub.errors import BadRequest, UnsupportedMediaType

from .sniff import MediaType


@dataclass(slots=True)
class AudioInfo:
    duration_seconds: float
    sample_rate: int
    channels: int
    codec: str


@dataclass(slots=True)
class AudioResult:
    content_type: str
    ext: str
    duration_seconds: float
    size: int
    path: Path  # the spooled original: store it, then ``discard()``
    codec: str

    @property
    def kind(self) -> str:
        return "audio"

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _bad(error: str, hint: str = "Upload a complete, playable MP3, WAV, M4A, OGG or WebM file") -> BadRequest:
    return BadRequest(error, hint)


def wav_truncated(fh: BinaryIO) -> bool:
    """True if a WAV's ``data`` chunk declares more bytes than the file holds.

    FFmpeg clamps the duration to the file size for some WAVs, so the generic check below misses
    them; the RIFF header is cheap to read directly.
    """
    fh.seek(0, 2)
    total = fh.tell()
    fh.seek(12)
    while True:
        header = fh.read(8)
        if len(header) < 8:
            return False
        size = int.from_bytes(header[4:8], "little")
        if header[:4] == b"data":
            return size not in (0, 0xFFFFFFFF) and fh.tell() + size > total
        fh.seek(size + (size & 1), 1)


def measure_audio(path: Path | BinaryIO, max_seconds: float | None = None) -> AudioInfo:
    """Decode the first audio stream and return its real duration (CPU-bound: run in a thread).

    Raises 400 if nothing decodes, the file is truncated, holds video, or runs past ``max_seconds``.
    """
    fh = path.open("rb") if isinstance(path, Path) else path
    try:
        return _measure(fh, max_seconds)
    finally:
        if isinstance(path, Path):
            fh.close()


def _measure(fh: BinaryIO, max_seconds: float | None) -> AudioInfo:
    fh.seek(0)
    if fh.read(4) == b"RIFF" and fh.read(8)[4:] == b"WAVE" and wav_truncated(fh):
        raise _bad("The audio file is truncated", "The WAV header declares more data than the file holds")
    fh.seek(0)
    try:
        container = av.open(fh, mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise _bad("The audio file cannot be decoded") from exc
    with container:
        for stream in container.streams.video:
            if not stream.disposition & av.stream.Disposition.attached_pic:
                raise UnsupportedMediaType("Video files are not accepted as audio", "Upload audio only")
        if not container.streams.audio:
            raise _bad("The file holds no audio stream")
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        samples = 0
        rate = stream.codec_context.sample_rate or 0
        try:
            for frame in container.decode(stream):
                rate = frame.sample_rate or rate
                samples += frame.samples
                if max_seconds is not None and rate and samples / rate > max_seconds:
                    raise _too_long(max_seconds)
        except av.error.FFmpegError as exc:
            raise _bad("The audio file is corrupt or truncated") from exc
        if not samples or not rate:
            raise _bad("The audio file holds no decodable sound")
        seconds = samples / rate
        if declared and seconds < declared * 0.9 - 0.5:
            raise _bad(
                "The audio file is truncated",
                f"It declares {declared:.1f} s but only {seconds:.1f} s decode; upload the complete file",
            )
        return AudioInfo(seconds, rate, stream.codec_context.channels or 0, stream.codec_context.name or "")


def _declared_seconds(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _too_long(max_seconds: float) -> BadRequest:
    return BadRequest(
        "The audio is too long",
        f"Audio may be at most {max_seconds:g} seconds long; trim it and try again",
    )


def process_audio(path: Path, media_type: MediaType, size: int, settings: Any) -> AudioResult:
    """Validate one spooled audio upload (CPU-bound: call it in a thread)."""
    info = measure_audio(path, float(settings.media_audio_max_seconds))
    return AudioResult(
        content_type=media_type.content_type,
        ext=media_type.ext,
        duration_seconds=round(info.duration_seconds, 3),
        size=size,
        path=path,
        codec=info.codec,
    )

"""What every description engine shares: its input, its contract and its failure signal.

An engine turns one stored media file into one honest sentence or paragraph. It returns None
(nothing to say, try the next engine) or raises ``EngineFailed`` (timeout, 429, 5xx, bad answer:
log and try the next engine). Facts every engine may quote (pixel size, format, colours, decoded
duration) are computed once in ``MediaInput`` so no engine has to trust a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

Kind = Literal["image", "audio"]

FORMAT_LABELS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "audio/mpeg": "MP3",
    "audio/wav": "WAV",
    "audio/mp4": "M4A",
    "audio/ogg": "OGG",
    "audio/webm": "WebM",
}

MAX_TEXT = 20_000  # characters kept from any engine (a 5-minute transcript is ~5,000)


class EngineFailed(Exception):
    """The engine could not produce a description this time; the chain moves on."""


@dataclass(slots=True)
class ImageFacts:
    width: int
    height: int
    format: str  # PNG, JPEG, GIF, WebP
    colours: str  # e.g. "mostly green and blue"

    @property
    def prefix(self) -> str:
        return f"Image {self.width}x{self.height} {self.format}"


@dataclass(slots=True)
class AudioFacts:
    duration: float  # seconds, measured by decoding
    format: str

    @property
    def prefix(self) -> str:
        return f"Audio {self.duration:.1f} s {self.format}"


@dataclass(slots=True)
class MediaInput:
    kind: Kind
    data: bytes
    content_type: str
    ext: str
    facts: ImageFacts | AudioFacts


@dataclass(frozen=True, slots=True)
class Description:
    text: str
    engine: str  # the engine's name from settings, e.g. "whisper_bundled", "ocr"


class Engine(Protocol):
    name: str
    kind: Kind

    def configured(self, settings: Any) -> bool:
        """False when the engine's configuration or files are missing: it is skipped."""

    async def describe(self, media: MediaInput, settings: Any) -> str | None: ...


def clip(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def seconds(value: float) -> str:
    """'13 s' for transcripts, as in the media docs' examples."""
    return f"{value:.0f} s"

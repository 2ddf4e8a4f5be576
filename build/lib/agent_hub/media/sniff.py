"""Decide a file's type from its first bytes (magic numbers), never from its name or headers.

Only formats we can fully decode and safely serve are accepted. Anything else (SVG, HTML, PDF,
archives, executables, Matroska that is not WebM, MP4 video brands...) is unknown and rejected by
the caller with 415. SVG and HTML are the classic stored-XSS vectors, so they never match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["image", "audio"]

#: How many leading bytes ``sniff`` wants to see (WebM's DocType sits in the EBML header).
SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class MediaType:
    kind: Kind
    content_type: str
    ext: str  # normalised extension without the dot


PNG = MediaType("image", "image/png", "png")
JPEG = MediaType("image", "image/jpeg", "jpg")
GIF = MediaType("image", "image/gif", "gif")
WEBP = MediaType("image", "image/webp", "webp")
MP3 = MediaType("audio", "audio/mpeg", "mp3")
WAV = MediaType("audio", "audio/wav", "wav")
M4A = MediaType("audio", "audio/mp4", "m4a")
OGG = MediaType("audio", "audio/ogg", "ogg")
WEBM = MediaType("audio", "audio/webm", "webm")

# ISO-BMFF major/compatible brands that are used for audio-only MP4 files. Video brands
# (e.g. "avc1", "qt  ") are not listed; isom/mp42 are ambiguous and checked again after decoding
# (a file with a real video stream is rejected by the audio probe).
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"mp41", b"mp42", b"isom", b"iso2", b"iso5", b"iso6", b"dash", b"3gp4"}


def _is_mp3_frame(head: bytes) -> bool:
    # MPEG audio frame sync: 11 set bits, version != reserved, layer III, bitrate index valid.
    if len(head) < 4 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0x03
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and sample_rate != 3


def sniff(head: bytes) -> MediaType | None:
    """Return the media type the leading bytes prove, or None if it is not an accepted format."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"ID3") or _is_mp3_frame(head):
        return MP3
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:SNIFF_BYTES]:
        return WEBM
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    return None


def looks_like_markup(head: bytes) -> bool:
    """True for SVG/HTML/XML, so the 415 message can say why a 'picture' was refused."""
    text = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html", b"<"))

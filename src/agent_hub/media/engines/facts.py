"""Facts read from the pixels or samples themselves: size, format, main colours, duration.

Colours are named by bucketing a 48x48 reduction in HSV space; only colours covering a real share
of the picture are named, so the phrase stays true for any image ("mostly green and blue").
"""

from __future__ import annotations

import io
from collections import Counter

from PIL import Image

from ..audio import measure_audio
from ..sniff import sniff
from .base import FORMAT_LABELS, AudioFacts, ImageFacts


def _colour_name(h: int, s: int, v: int) -> str:
    if v < 50:
        return "black"
    if s < 40:
        return "white" if v > 215 else "grey"
    deg = h * 360 / 255
    if deg < 15 or deg >= 345:
        name = "red"
    elif deg < 40:
        name = "orange"
    elif deg < 70:
        name = "yellow"
    elif deg < 165:
        name = "green"
    elif deg < 195:
        name = "teal"
    elif deg < 255:
        name = "blue"
    elif deg < 290:
        name = "purple"
    else:
        name = "pink"
    if name in ("orange", "red") and v < 140:
        name = "brown"
    return name


def main_colours(im: Image.Image) -> str:
    """A short phrase naming the dominant colours of an image."""
    small = im.convert("RGB")
    small.thumbnail((48, 48))
    hsv = small.convert("HSV")
    raw = hsv.tobytes()  # (getdata is deprecated in Pillow 13; raw bytes work in every version)
    counts = Counter(_colour_name(h, s, v) for h, s, v in zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    total = sum(counts.values()) or 1
    ranked = [(name, n / total) for name, n in counts.most_common()]
    if ranked[0][1] >= 0.85:
        return f"almost entirely {ranked[0][0]}"
    names = [name for name, share in ranked[:3] if share >= 0.15] or [ranked[0][0]]
    if len(names) == 1:
        return f"mostly {names[0]}"
    return "mostly " + ", ".join(names[:-1]) + " and " + names[-1]


def image_facts(data: bytes, content_type: str) -> ImageFacts:
    with Image.open(io.BytesIO(data)) as im:
        im.seek(0)
        im.load()
        label = FORMAT_LABELS.get(Image.MIME.get(im.format or "", content_type), im.format or "image")
        return ImageFacts(width=im.width, height=im.height, format=label, colours=main_colours(im))


def audio_facts(data: bytes, content_type: str) -> AudioFacts:
    info = measure_audio(io.BytesIO(data))
    media_type = sniff(data[:4096])
    label = FORMAT_LABELS.get(media_type.content_type if media_type else content_type, "audio")
    return AudioFacts(duration=info.duration_seconds, format=label)

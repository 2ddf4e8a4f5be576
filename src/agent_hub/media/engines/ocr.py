"""Offline OCR with Tesseract (``tesserocr`` wheel + Debian ``tesseract-ocr-eng`` data).

Pre-processing: grey, and invert dark images (terminal screenshots) because
Tesseract is trained on dark text on a light background; small images are upscaled 2x. Text is
only reported when Tesseract's mean word confidence is reasonable, so photos and flat colours
give "no readable text" instead of invented characters. The tessdata path is passed explicitly
(the wheel's default is ``./``). Tesseract API objects are not thread-safe, so each call builds
its own (about 0.1 s; small next to recognition).
"""

from __future__ import annotations

import asyncio
import glob
import io
import os
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, ImageStat

from .base import ImageFacts, MediaInput, clip
from .rules import headline

MIN_CONFIDENCE = 50
MAX_OCR_TEXT = 4000


def tessdata_dir(settings: Any = None) -> Path | None:
    """The directory holding ``eng.traineddata``: a setting, ``TESSDATA_PREFIX``, then Debian's paths."""
    candidates = [getattr(settings, "tessdata_dir", None), os.environ.get("TESSDATA_PREFIX")]
    candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "eng.traineddata").is_file():
            return Path(candidate)
    return None


def prepare(im: Image.Image) -> Image.Image:
    grey = im.convert("L")
    if ImageStat.Stat(grey).mean[0] < 128:
        grey = ImageOps.invert(grey)
    if max(grey.size) < 1000:
        grey = grey.resize((grey.width * 2, grey.height * 2), Image.Resampling.LANCZOS)
    return grey


def ocr_text(data: bytes, tessdata: Path) -> str:
    """Return the recognised text, or '' when there is none Tesseract is confident about."""
    import tesserocr

    with Image.open(io.BytesIO(data)) as im:
        im.seek(0)
        grey = prepare(im.convert("RGB"))
    with tesserocr.PyTessBaseAPI(path=str(tessdata), lang="eng", psm=tesserocr.PSM.AUTO) as api:
        api.SetImage(grey)
        text = api.GetUTF8Text() or ""
        confidence = api.MeanTextConf()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    if confidence < MIN_CONFIDENCE or sum(ch.isalnum() for ch in text) < 3:
        return ""
    return text


class OcrEngine:
    name = "ocr"
    kind = "image"
    requires = ("tesserocr",)  # import names; agent_hub.extras knows the extra that brings each

    def configured(self, settings: Any) -> bool:
        try:
            import tesserocr  # noqa: F401
        except ImportError:
            return False
        return tessdata_dir(settings) is not None

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        facts = media.facts
        assert isinstance(facts, ImageFacts)
        tessdata = tessdata_dir(settings)
        assert tessdata is not None
        text = await asyncio.to_thread(ocr_text, media.data, tessdata)
        if not text:
            return f"{facts.prefix}; {facts.colours}; no readable text."
        parts = [facts.prefix, facts.colours]
        if rule := headline(text):
            parts.append(rule)
        flat = clip(text.replace("\n", " / "), MAX_OCR_TEXT)
        return "; ".join(parts) + f"; text found (offline OCR): {flat}"

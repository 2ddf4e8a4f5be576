"""Decode, check and re-encode an uploaded image; make its thumbnail.

Why re-encode: the stored file is produced by us from decoded pixels, so EXIF (GPS position,
camera serial), ICC/XMP blobs, comments and anything appended after the image data (a "polyglot"
that is also a ZIP, HTML or script) are gone. Decisions:

* PNG stays PNG, JPEG stays JPEG (quality 90, EXIF orientation applied first), WebP stays WebP
  (quality 90; lossless stays lossless).
* GIF becomes a PNG of its **first frame**: animated GIFs are rare in agent conversations, and
  decoding every frame would multiply the decompression-bomb cost (thousands of tiny-on-disk
  40 MP frames). Only frame 0 is decoded. The result says ``image/png``.
* Colour profiles are dropped (pixels are assumed sRGB).
* The longer side is scaled down to ``media_image_max_side``; the thumbnail is a WebP whose
  longer side is at most 512 px (WebP keeps transparency and is small).

Pixel bombs: ``Image.MAX_IMAGE_PIXELS`` comes from settings, and the size is checked again right
after ``Image.open`` (which reads only the header), before any pixel is decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from agent_hub.errors import BadRequest, UnsupportedMediaType

ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is an error, never half an image

THUMB_SIDE = 512
_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}
_SOURCE = {"PNG", "JPEG", "GIF", "WEBP"}


@dataclass(slots=True)
class ImageResult:
    content_type: str  # of ``data``
    ext: str
    width: int
    height: int
    data: bytes  # the normalised (re-encoded, maybe resized) image: store this, never the upload
    thumbnail: bytes
    thumbnail_content_type: str
    thumbnail_width: int
    thumbnail_height: int
    source_format: str  # what was uploaded: PNG, JPEG, GIF or WEBP

    @property
    def kind(self) -> str:
        return "image"

    @property
    def size(self) -> int:
        return len(self.data)

    def discard(self) -> None:
        """Nothing on disk to remove (kept so image and audio results share one shape)."""


def _bad(error: str) -> BadRequest:
    return BadRequest(error, "Upload a complete, valid PNG, JPEG, GIF or WebP image")


def _open(source: Path | bytes, max_pixels: int) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = max_pixels
    fp: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        im = Image.open(fp, formats=sorted(_SOURCE))
    # Between MAX and 2*MAX Pillow only warns (an exception where warnings are errors); we refuse
    # either way, by the explicit check below.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _pixel_bomb(max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaType("Not a supported image", "Accepted: PNG, JPEG, GIF, WebP") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _bad("The image header is invalid") from exc
    if im.width * im.height > max_pixels or im.width <= 0 or im.height <= 0:
        im.close()
        raise _pixel_bomb(max_pixels)
    return im


def _pixel_bomb(max_pixels: int) -> BadRequest:
    return BadRequest(
        "The image has too many pixels",
        f"Images may have at most {max_pixels:,} pixels (width x height); scale it down and try again",
    )


def _webp_chunk(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[12:16]
    with source.open("rb") as fh:
        return fh.read(16)[12:16]


def _decode(im: Image.Image) -> Image.Image:
    try:
        im.seek(0)
        im.load()
        frame = im.copy()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _bad("The image is truncated or corrupt") from exc
    if im.format == "JPEG":
        frame = ImageOps.exif_transpose(frame) or frame
    return frame


def _normalise_mode(im: Image.Image, target: str) -> Image.Image:
    """Pick a mode the target format stores plainly, then drop every metadata entry.

    Some encoders (PNG's ICC profile, for one) fall back to ``im.info`` when saving, so the
    info dict is emptied: only pixels reach the output.
    """
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    if target == "JPEG":
        out = im if im.mode in ("L", "RGB") else im.convert("RGB")
    elif im.mode in ("1", "L", "LA", "RGB", "RGBA") and not (has_alpha and im.mode in ("L", "RGB")):
        out = im
    else:
        out = im.convert("RGBA" if has_alpha else "RGB")
    out = out.copy() if out is im else out
    out.info = {}
    return out


def _encode(im: Image.Image, fmt: str, *, lossless: bool = False) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        im.save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "WEBP":
        im.save(out, "WEBP", quality=90, lossless=lossless, method=4)
    else:
        im.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def process_image(source: Path | bytes, settings: Any) -> ImageResult:
    """Validate and normalise one image (CPU-bound: call it in a thread). Raises 400/415."""
    max_pixels = int(settings.media_image_max_pixels)
    max_side = int(settings.media_image_max_side)
    with _open(source, max_pixels) as im:
        src_format = im.format or ""
        if src_format not in _SOURCE:
            raise UnsupportedMediaType("Not a supported image", "Accepted: PNG, JPEG, GIF, WebP")
        lossless = src_format == "WEBP" and _webp_chunk(source) == b"VP8L"
        frame = _decode(im)
    target = "PNG" if src_format == "GIF" else src_format
    frame = _normalise_mode(frame, target)
    if max(frame.size) > max_side:
        frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    data = _encode(frame, target, lossless=lossless)
    thumb = frame.copy()
    if thumb.mode not in ("RGB", "RGBA"):
        thumb = thumb.convert("RGBA" if "A" in thumb.mode else "RGB")
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb_data = _encode(thumb, "WEBP")
    content_type, ext = _FORMATS[target]
    return ImageResult(
        content_type=content_type,
        ext=ext,
        width=frame.width,
        height=frame.height,
        data=data,
        thumbnail=thumb_data,
        thumbnail_content_type="image/webp",
        thumbnail_width=thumb.width,
        thumbnail_height=thumb.height,
        source_format=src_format,
    )

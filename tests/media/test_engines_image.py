"""Real offline OCR (Tesseract) on a rendered screenshot, and honest facts for text-free images."""

from __future__ import annotations

import pytest

from agent_hub.media.engines import DescriptionFailed, describe
from agent_hub.media.engines.ocr import ocr_text, tessdata_dir

from . import samples
from .conftest import require
from .textmetrics import cer


@pytest.fixture
def tessdata():  # type: ignore[no-untyped-def]
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        require(False, "PyPI package tesserocr==2.13.0")
    path = tessdata_dir()
    require(path, "Debian package tesseract-ocr-eng")
    return path


def test_traceback_text_is_read_accurately(tessdata) -> None:  # type: ignore[no-untyped-def]
    text = ocr_text(samples.traceback_screenshot(), tessdata)
    assert cer(samples.TRACEBACK, text) <= 0.05, text


async def test_traceback_screenshot_described(settings, tessdata) -> None:  # type: ignore[no-untyped-def]
    result = await describe("image", samples.traceback_screenshot(), "image/png", settings)
    assert result.engine == "ocr"
    assert result.text.startswith("Image 1280x720 PNG; ")
    assert "looks like a screenshot of an error: TypeError on line 42 of auth.py" in result.text
    assert "text found (offline OCR): " in result.text
    for needle in ("TypeError", "auth.py", "42"):
        assert needle in result.text.split("text found (offline OCR): ", 1)[1]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
async def test_plain_colours_invent_no_text(settings, tessdata, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = await describe("image", samples.two_colour(fmt=fmt), "image/jpeg", settings)
    label = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}[fmt]
    assert result.text == f"Image 800x600 {label}; mostly green and blue; no readable text."


async def test_noise_photo_invents_no_text(settings, tessdata) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    noise = Image.effect_noise((640, 480), 60).convert("RGB")
    result = await describe("image", samples.encode(noise, "PNG"), "image/png", settings)
    assert result.text.endswith("; no readable text."), result.text


async def test_basic_engine_says_only_facts(make_settings) -> None:
    settings = make_settings(image_engines=["basic"])
    result = await describe("image", samples.two_colour(fmt="PNG"), "image/png", settings)
    assert result == type(result)("Image 800x600 PNG; mostly green and blue; contents not analysed.", "basic")


async def test_unknown_engine_skipped_and_empty_chain_fails(make_settings) -> None:
    settings = make_settings(image_engines=["no_such_engine", "basic"])
    assert (await describe("image", samples.two_colour(fmt="PNG"), "image/png", settings)).engine == "basic"
    with pytest.raises(DescriptionFailed):
        await describe(
            "image", samples.two_colour(fmt="PNG"), "image/png", make_settings(image_engines=["vision_openai"])
        )


async def test_wrong_kind_fails(settings, tone_wav) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DescriptionFailed):
        await describe("image", tone_wav, "image/png", settings)


def test_headline_rules() -> None:
    from agent_hub.media.engines.rules import headline

    assert headline("Traceback (most recent call last):\n File “x/y/auth.py”, line 42, in f\nTypeError: bad") == (
        "looks like a screenshot of an error: TypeError on line 42 of auth.py"
    )
    assert headline("ValueError: invalid literal for int()") == "looks like a screenshot of an error: ValueError"
    assert headline("Quarterly report\nRevenue up 4%") is None

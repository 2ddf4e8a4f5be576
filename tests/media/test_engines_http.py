"""Remote engines against a real HTTP server on 127.0.0.1: exact request shape, canned answers,
and the fallback to the next engine on timeout, 500 and 429."""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

import pytest
from PIL import Image

from agent_hub.media.engines import describe

from . import samples
from .conftest import FakeProvider

OPENAI_VISION = {"choices": [{"message": {"role": "assistant", "content": "A green and blue flag."}}]}
ANTHROPIC = {"content": [{"type": "text", "text": "Two coloured rectangles."}], "role": "assistant"}


def vision_settings(make_settings, provider: FakeProvider, **kw):  # type: ignore[no-untyped-def]
    values = {
        "image_engines": ["vision_openai", "vision_anthropic", "basic"],
        "vision_openai_url": provider.url + "/v1",
        "vision_openai_key": "sk-openai-test",
        "vision_openai_model": "gpt-test-vision",
        "vision_anthropic_url": provider.url,
        "vision_anthropic_key": "sk-ant-test",
        "vision_anthropic_model": "claude-test",
        "engine_timeout_seconds": 1.0,
    }
    values.update(kw)
    return make_settings(**values)


async def test_openai_vision_request_shape(make_settings, provider: FakeProvider) -> None:
    provider.routes["/v1/chat/completions"] = (200, OPENAI_VISION, 0)
    image = samples.two_colour(fmt="PNG")
    result = await describe("image", image, "image/png", vision_settings(make_settings, provider))
    assert result.engine == "vision_openai"
    assert result.text == (
        "Image 800x600 PNG; described by gpt-test-vision (vision model, may be inaccurate): A green and blue flag."
    )
    [request] = provider.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-openai-test"
    body = request.json()
    assert body["model"] == "gpt-test-vision"
    parts = body["messages"][0]["content"]
    assert {p["type"] for p in parts} == {"text", "image_url"}
    url = next(p for p in parts if p["type"] == "image_url")["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == image


async def test_anthropic_request_shape(make_settings, provider: FakeProvider) -> None:
    provider.routes["/v1/messages"] = (200, ANTHROPIC, 0)
    image = samples.two_colour(fmt="JPEG")
    settings = vision_settings(make_settings, provider, image_engines=["vision_anthropic"])
    result = await describe("image", image, "image/jpeg", settings)
    assert result.engine == "vision_anthropic" and result.text.endswith(": Two coloured rectangles.")
    [request] = provider.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "sk-ant-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    body = request.json()
    assert body["model"] == "claude-test" and body["max_tokens"] > 0
    block = next(b for b in body["messages"][0]["content"] if b["type"] == "image")
    assert block["source"]["type"] == "base64" and block["source"]["media_type"] == "image/jpeg"
    assert base64.b64decode(block["source"]["data"]) == image


async def test_large_image_is_scaled_for_the_api(make_settings, provider: FakeProvider) -> None:
    provider.routes["/v1/messages"] = (200, ANTHROPIC, 0)
    settings = vision_settings(make_settings, provider, image_engines=["vision_anthropic"])
    await describe("image", samples.two_colour(size=(4000, 3000), fmt="PNG"), "image/png", settings)
    block = next(b for b in provider.requests[0].json()["messages"][0]["content"] if b["type"] == "image")
    with Image.open(io.BytesIO(base64.b64decode(block["source"]["data"]))) as im:
        assert max(im.size) == 1568


@pytest.mark.parametrize(
    ("status", "delay", "reason"), [(500, 0, "HTTP 500"), (429, 0, "HTTP 429"), (200, 3.0, "timed out")]
)
async def test_failures_fall_through_in_order(
    make_settings, provider: FakeProvider, caplog: pytest.LogCaptureFixture, status: int, delay: float, reason: str
) -> None:
    provider.routes["/v1/chat/completions"] = (status, OPENAI_VISION if status == 200 else {"error": "x"}, delay)
    provider.routes["/v1/messages"] = (status, ANTHROPIC if status == 200 else {"error": "x"}, delay)
    settings = vision_settings(make_settings, provider, engine_timeout_seconds=0.5)
    with caplog.at_level(logging.WARNING, logger="agent_hub.media.engines"):
        result = await describe("image", samples.two_colour(fmt="PNG"), "image/png", settings)
    assert result.engine == "basic"
    assert [r.path for r in provider.requests] == ["/v1/chat/completions", "/v1/messages"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("vision_openai" in m and reason in m for m in messages), messages
    assert any("vision_anthropic" in m and reason in m for m in messages), messages
    assert not any("sk-" in m for m in messages)  # keys never logged


async def test_first_failure_second_success(make_settings, provider: FakeProvider) -> None:
    provider.routes["/v1/chat/completions"] = (503, {"error": "overloaded"}, 0)
    provider.routes["/v1/messages"] = (200, ANTHROPIC, 0)
    result = await describe(
        "image", samples.two_colour(fmt="PNG"), "image/png", vision_settings(make_settings, provider)
    )
    assert result.engine == "vision_anthropic"


async def test_bad_answer_shape_falls_through(make_settings, provider: FakeProvider) -> None:
    provider.routes["/v1/chat/completions"] = (200, {"unexpected": True}, 0)
    settings = vision_settings(make_settings, provider, image_engines=["vision_openai", "basic"])
    assert (await describe("image", samples.two_colour(fmt="PNG"), "image/png", settings)).engine == "basic"


async def test_unconfigured_remote_engines_are_skipped(make_settings, provider: FakeProvider) -> None:
    settings = make_settings(image_engines=["vision_openai", "vision_anthropic", "basic"])
    assert (await describe("image", samples.two_colour(fmt="PNG"), "image/png", settings)).engine == "basic"
    assert provider.requests == []


def audio_settings(make_settings, provider: FakeProvider, **kw):  # type: ignore[no-untyped-def]
    values = {
        "audio_engines": ["openai_audio", "basic"],
        "openai_audio_url": provider.url + "/v1",
        "openai_audio_key": "sk-audio-test",
        "openai_audio_model": "whisper-test",
        "engine_timeout_seconds": 0.5,
    }
    values.update(kw)
    return make_settings(**values)


async def test_openai_audio_request_shape(make_settings, provider: FakeProvider, tone_wav: Path) -> None:
    provider.routes["/v1/audio/transcriptions"] = (200, {"text": "Reset the session token."}, 0)
    result = await describe("audio", tone_wav, "audio/wav", audio_settings(make_settings, provider))
    assert result.engine == "openai_audio"
    assert result.text == (
        "Transcript (whisper-test via OpenAI-compatible API, may contain errors; 5 s): Reset the session token."
    )
    [request] = provider.requests
    assert request.headers["authorization"] == "Bearer sk-audio-test"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    form = request.form()
    assert form["model"][2] == b"whisper-test"
    filename, content_type, payload = form["file"]
    assert filename == "audio.wav" and content_type == "audio/wav" and payload == tone_wav.read_bytes()  # noqa: ASYNC240


async def test_openai_audio_empty_text_means_no_speech(
    make_settings, provider: FakeProvider, silence_wav: Path
) -> None:
    provider.routes["/v1/audio/transcriptions"] = (200, {"text": " "}, 0)
    result = await describe("audio", silence_wav, "audio/wav", audio_settings(make_settings, provider))
    assert result.text == "Audio 8.0 s; no speech detected (whisper-test via OpenAI-compatible API)."


@pytest.mark.parametrize(("status", "delay"), [(500, 0), (429, 0), (200, 2.0)])
async def test_openai_audio_failures_fall_back(
    make_settings, provider: FakeProvider, tone_wav: Path, status: int, delay: float
) -> None:
    provider.routes["/v1/audio/transcriptions"] = (status, {"text": "never used"}, delay)
    result = await describe("audio", tone_wav, "audio/wav", audio_settings(make_settings, provider))
    assert result.engine == "basic" and result.text == "Audio 5.0 s WAV; not transcribed."
    assert len(provider.requests) == 1

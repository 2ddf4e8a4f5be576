"""Image descriptions from a vision LLM: OpenAI-compatible chat completions or Anthropic Messages.

The image goes inline (a data URL / a base64 block), never as a URL the provider would fetch, so
private media stays private to the configured provider. Large images are scaled to at most
1568 px on the longer side first (what both providers downscale to anyway), which keeps requests
under their size limits. The model's words are labelled with the model's name.
"""

from __future__ import annotations

import asyncio
import base64
import io
from typing import Any

from PIL import Image

from .base import EngineFailed, ImageFacts, MediaInput, clip
from .http import post_json

PROMPT = (
    "Describe this image for a reader who cannot see it, in at most four sentences. "
    "Quote any important visible text exactly (error messages, code, labels). "
    "Do not guess at anything you cannot see."
)
API_SIDE = 1568
MAX_DESCRIPTION = 4000


def api_image(data: bytes, content_type: str) -> tuple[bytes, str]:
    """The image as the API should get it: unchanged if small, else scaled down as PNG/JPEG."""
    with Image.open(io.BytesIO(data)) as im:
        if max(im.size) <= API_SIDE and len(data) <= 3_500_000:
            return data, content_type
        im.seek(0)
        frame = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
    frame.thumbnail((API_SIDE, API_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if frame.mode == "RGBA":
        frame.save(out, "PNG")
        return out.getvalue(), "image/png"
    frame.save(out, "JPEG", quality=85)
    return out.getvalue(), "image/jpeg"


def render(text: str, facts: ImageFacts, label: str) -> str | None:
    text = clip(text, MAX_DESCRIPTION)
    if not text:
        return None
    return f"{facts.prefix}; described by {label} (vision model, may be inaccurate): {text}"


class VisionOpenAI:
    name = "vision_openai"
    kind = "image"

    def configured(self, settings: Any) -> bool:
        return bool(settings.vision_openai_url and settings.vision_openai_key and settings.vision_openai_model)

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        assert isinstance(media.facts, ImageFacts)
        data, content_type = await asyncio.to_thread(api_image, media.data, media.content_type)
        data_url = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
        body = await post_json(
            self.name,
            settings.vision_openai_url.rstrip("/") + "/chat/completions",
            settings,
            headers={"Authorization": f"Bearer {settings.vision_openai_key}"},
            json={
                "model": settings.vision_openai_model,
                "max_tokens": 400,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": PROMPT},
                            {"type": "image_url", "image_url": {"url": data_url}},
                        ],
                    }
                ],
            },
        )
        try:
            text = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise EngineFailed(f"{self.name}: unexpected answer shape") from exc
        if not isinstance(text, str):
            raise EngineFailed(f"{self.name}: no text in the answer")
        return render(text, media.facts, settings.vision_openai_model)


class VisionAnthropic:
    name = "vision_anthropic"
    kind = "image"

    def configured(self, settings: Any) -> bool:
        return bool(settings.vision_anthropic_url and settings.vision_anthropic_key and settings.vision_anthropic_model)

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        assert isinstance(media.facts, ImageFacts)
        data, content_type = await asyncio.to_thread(api_image, media.data, media.content_type)
        body = await post_json(
            self.name,
            settings.vision_anthropic_url.rstrip("/") + "/v1/messages",
            settings,
            headers={"x-api-key": settings.vision_anthropic_key, "anthropic-version": "2023-06-01"},
            json={
                "model": settings.vision_anthropic_model,
                "max_tokens": 400,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": content_type,
                                    "data": base64.b64encode(data).decode(),
                                },
                            },
                            {"type": "text", "text": PROMPT},
                        ],
                    }
                ],
            },
        )
        blocks = body.get("content") if isinstance(body, dict) else None
        if not isinstance(blocks, list):
            raise EngineFailed(f"{self.name}: unexpected answer shape")
        text = " ".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
        return render(text, media.facts, settings.vision_anthropic_model)

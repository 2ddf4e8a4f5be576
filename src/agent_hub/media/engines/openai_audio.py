"""Transcription through any OpenAI-compatible ``POST {url}/audio/transcriptions`` (OpenAI, Groq,
a local whisper server). Configured by ``openai_audio_url`` + ``openai_audio_key``."""

from __future__ import annotations

from typing import Any

from .base import AudioFacts, EngineFailed, MediaInput
from .http import post_json
from .whisper import render


class OpenAIAudio:
    name = "openai_audio"
    kind = "audio"

    def configured(self, settings: Any) -> bool:
        return bool(settings.openai_audio_url and settings.openai_audio_key and settings.openai_audio_model)

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        assert isinstance(media.facts, AudioFacts)
        body = await post_json(
            self.name,
            settings.openai_audio_url.rstrip("/") + "/audio/transcriptions",
            settings,
            headers={"Authorization": f"Bearer {settings.openai_audio_key}"},
            files={"file": (f"audio.{media.ext}", media.data, media.content_type)},
            data={"model": settings.openai_audio_model, "response_format": "json"},
        )
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise EngineFailed(f"{self.name}: no 'text' in the answer")
        return render(text, media.facts, f"{settings.openai_audio_model} via OpenAI-compatible API")

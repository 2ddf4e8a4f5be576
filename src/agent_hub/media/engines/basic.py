"""The last resort: only facts measured from the file itself, and a plain word that nothing
more was analysed. Never fails for a file that passed upload validation."""

from __future__ import annotations

from typing import Any

from .base import AudioFacts, ImageFacts, MediaInput


class BasicImage:
    name = "basic"
    kind = "image"

    def configured(self, settings: Any) -> bool:
        return True

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        assert isinstance(media.facts, ImageFacts)
        return f"{media.facts.prefix}; {media.facts.colours}; contents not analysed."


class BasicAudio:
    name = "basic"
    kind = "audio"

    def configured(self, settings: Any) -> bool:
        return True

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        assert isinstance(media.facts, AudioFacts)
        return f"{media.facts.prefix}; not transcribed."

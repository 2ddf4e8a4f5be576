"""Media API fixtures: the generated audio, fake provider and S3 server of tests/media."""

from pathlib import Path

import pytest

from tests.media.conftest import (  # noqa: F401 - pytest fixtures
    audio_dir,
    provider,
    s3_endpoint,
    silence_wav,
    speech_wav,
    tone_wav,
)


@pytest.fixture(scope="session")
def tone(tone_wav: Path) -> bytes:  # noqa: F811
    """The 5 s sox tone as bytes (read once, outside the event loop)."""
    return tone_wav.read_bytes()

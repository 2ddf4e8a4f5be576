"""Media API fixtures: the generated audio, fake provider and S3 server of tests/media."""

from tests.media.conftest import (  # noqa: F401 - pytest fixtures
    audio_dir,
    provider,
    s3_endpoint,
    silence_wav,
    speech_wav,
    tone_wav,
)

"""Worker fixtures: the fake provider, generated audio and S3 server of tests/media."""

from tests.media.conftest import (  # noqa: F401 - pytest fixtures
    audio_dir,
    provider,
    s3_endpoint,
    speech_wav,
)

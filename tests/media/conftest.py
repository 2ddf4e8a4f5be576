"""Fixtures for the media tests: settings, generated audio, a fake provider, a real S3 server.

Engines and binaries are real. Outside CI a missing one skips its tests; with ``CI=true`` it
fails them, so a broken install can never pass as green.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent_hub.config import Settings

from . import samples

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(ok: object, what: str) -> None:
    """Skip locally, fail in CI, when an engine or binary the test needs is missing."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing (required in CI: scripts/setup.sh installs it)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "audio_engines": ["whisper_bundled", "basic"],
            "image_engines": ["ocr", "basic"],
            "engine_timeout_seconds": 5.0,
            "s3_endpoint": None,
            "whisper_model_dir": None,
            "openai_audio_url": None,
            "openai_audio_key": None,
            "vision_openai_url": None,
            "vision_openai_key": None,
            "vision_anthropic_key": None,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


# --- generated audio (once per session) -----------------------------------------------------


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(shutil.which("sox"), "Debian package sox")
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(scope="session")
def speech_wav(audio_dir: Path) -> Path:
    require(shutil.which("espeak-ng"), "Debian package espeak-ng")
    return samples.speech_wav(audio_dir / "speech.wav")


@pytest.fixture(scope="session")
def silence_wav(audio_dir: Path) -> Path:
    return samples.sox_synth(audio_dir / "silence.wav", 8)


@pytest.fixture(scope="session")
def tone_wav(audio_dir: Path) -> Path:
    return samples.sox_synth(audio_dir / "tone.wav", 5, "synth", "sine", "440", "vol", "0.5")


# --- a fake provider on 127.0.0.1 -----------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, tuple[str | None, str | None, bytes]]:
        """multipart/form-data parts: name -> (filename, content type, bytes)."""
        raw = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode() + self.body
        message = BytesParser(policy=HTTP).parsebytes(raw)
        parts = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            parts[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        return parts


@dataclass
class FakeProvider:
    """A real HTTP server. ``routes[path] = (status, json_body, delay_seconds)``."""

    url: str
    routes: dict[str, tuple[int, Any, float]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    state = FakeProvider(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Recorded("POST", self.path, headers, body))
            status, answer, delay = state.routes.get(self.path, (404, {"error": "no route"}, 0.0))
            if delay:
                time.sleep(delay)
            payload = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- a real S3-protocol server (moto) -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        require(False, "PyPI package moto[server]")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto_server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

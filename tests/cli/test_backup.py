"""`agent-hub backup` / `restore` for the embedded default, as real processes."""

from __future__ import annotations

import tarfile
from pathlib import Path

from tests.cli.test_cli import run


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    assert run(live, "create-agent", "kept_bot").returncode == 0
    media = live / "media" / "ab"
    media.mkdir(parents=True)
    (media / "object.png").write_bytes(b"\x89PNG fake bytes")
    archive = tmp_path / "backup.tar"
    out = run(live, "backup", str(archive))
    assert out.returncode == 0, out.stderr
    assert "1 media files" in out.stdout
    with tarfile.open(archive) as tar:
        assert set(tar.getnames()) == {"agent_hub.db", "media/ab/object.png"}
    assert run(restored, "restore", str(archive)).returncode == 0
    assert (restored / "media" / "ab" / "object.png").read_bytes() == b"\x89PNG fake bytes"
    dup = run(restored, "create-agent", "kept_bot")  # the agent came back with the database
    assert dup.returncode == 1 and "Name already taken" in dup.stderr
    again = run(restored, "restore", str(archive))
    assert again.returncode == 1 and "--force" in again.stderr
    assert run(restored, "restore", str(archive), "--force").returncode == 0


def test_backup_refuses_postgres(tmp_path: Path) -> None:
    out = run(tmp_path, "backup", str(tmp_path / "x.tar"), DATABASE_URL="postgresql://postgres@127.0.0.1/none")
    assert out.returncode == 1 and "embedded SQLite" in out.stderr

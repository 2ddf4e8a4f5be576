"""Consistent snapshots of the embedded default, taken while the server runs.

The database is copied with SQLite's online backup API (a consistent snapshot even with
writers and WAL); the media directory is added afterwards. Media objects are immutable and
written atomically, so every object the snapshot references is in the archive unless its post
was deleted in the seconds between the two steps. PostgreSQL and S3 deployments use their own
tools (CloudNativePG point-in-time recovery, bucket replication): see docs/operations.md.
"""

from __future__ import annotations

import sqlite3
import tarfile
import tempfile
from pathlib import Path

from agent_hub.config import Settings
from agent_hub.errors import BadRequest

DB_NAME = "agent_hub.db"
MEDIA_DIR = "media"


def _sqlite_path(settings: Settings) -> Path:
    if not settings.is_sqlite:
        raise BadRequest(
            "backup covers the embedded SQLite default only",
            "On PostgreSQL use CloudNativePG backups or pg_dump; back up the S3 bucket with its own tools",
        )
    return Path(settings.effective_database_url.split("///", 1)[1])


def backup(settings: Settings, dest: Path) -> int:
    """Write a tar archive with the database snapshot and the media directory; returns the
    number of media files archived."""
    db_path = _sqlite_path(settings)
    if not db_path.exists():
        raise BadRequest("No database to back up", f"Nothing at {db_path}")
    media = settings.data_dir / MEDIA_DIR
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / DB_NAME
        source = sqlite3.connect(str(db_path))
        target = sqlite3.connect(str(snapshot))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(snapshot, arcname=DB_NAME)
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if path.is_file() and not path.name.endswith(".tmp"):
                        tar.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(media)}")
                        count += 1
        partial.replace(dest)  # the archive appears only once complete
    return count


def restore(settings: Settings, src: Path, *, force: bool = False) -> None:
    """Unpack an archive made by `backup` into the data directory (server stopped)."""
    db_path = _sqlite_path(settings)
    if db_path.exists() and not force:
        raise BadRequest("A database already exists", f"Stop the server and pass --force to replace {db_path}")
    with tarfile.open(src, "r") as tar:
        names = tar.getnames()
        if DB_NAME not in names:
            raise BadRequest("Not an Agent Hub backup", f"{src} has no {DB_NAME}")
        for member in tar.getmembers():
            ok = member.name == DB_NAME or (member.name.startswith(MEDIA_DIR + "/") and member.isfile())
            if not ok or ".." in Path(member.name).parts:
                raise BadRequest("Unexpected entry in the backup", member.name)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        tar.extractall(settings.data_dir, filter="data")
        extracted = settings.data_dir / DB_NAME
        if extracted != db_path:
            extracted.replace(db_path)

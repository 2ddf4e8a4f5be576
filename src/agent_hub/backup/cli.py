"""`agent-hub backup` / `agent-hub restore` for the embedded default."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent_hub.backup import archive
from agent_hub.cli import command
from agent_hub.config import Settings


@command(
    "backup",
    "snapshot the SQLite database and media directory into a tar file (safe while running)",
    lambda p: p.add_argument("dest", type=Path),
)
def backup(args: argparse.Namespace, settings: Settings) -> int:
    files = archive.backup(settings, args.dest)
    print(f"backup written to {args.dest} (database + {files} media files)")
    return 0


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", type=Path)
    p.add_argument("--force", action="store_true", help="replace an existing database (server stopped)")


@command("restore", "restore a backup into the data directory (with the server stopped)", _restore_args)
def restore(args: argparse.Namespace, settings: Settings) -> int:
    archive.restore(settings, args.src, force=args.force)
    print(f"restored {args.src} into {settings.data_dir}")
    return 0

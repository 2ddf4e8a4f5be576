"""PostgreSQL with pgvector for the search tests, without a Debian package for it.

Debian bookworm's PostgreSQL has no pgvector. The PyPI package `pgserver` (0.1.4) bundles
PostgreSQL 16.2 with pgvector 0.6.2; this helper starts one such server per test session with
its data in a folder of its own under the system's temporary directory, listening on a Unix
socket only (no TCP at all), and stops and deletes it afterwards. As root, pgserver runs the
server as its own system user `pgserver` (PostgreSQL refuses to run as root), created on first
use, and opens the folder's ancestors to that user. The folder is deliberately not under
pytest's `/tmp/pytest-of-<user>`: every pytest process that starts resets that folder to mode
0700, which locks the server's user out of its own data (its start then fails without a log).
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def pgvector_server() -> Iterator[str]:
    """The admin URL (`postgresql://postgres@/postgres?host=<socket dir>`) of a running server."""
    home = Path(tempfile.mkdtemp(prefix="agent-hub-pgvector-"))
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells) and falls back to /tmp.
            warnings.simplefilter("ignore")
            import pgserver

            (home / "data").mkdir()
            server: Any = pgserver.get_server(home / "data", cleanup_mode="delete")
        try:
            yield str(server.get_uri())
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the same server."""
    base, _, query = admin_url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")

"""PostgreSQL with pgvector for the search tests, without a Debian package for it.

Debian bookworm's PostgreSQL has no pgvector. The PyPI package `pgserver` (0.1.4) bundles
PostgreSQL 16.2 with pgvector 0.6.2; this helper starts one such server per test session with
its data in the session's temporary folder, listening on a Unix socket only (no TCP at all),
and stops and deletes it afterwards. As root, pgserver runs the server as its own system user
`pgserver` (PostgreSQL refuses to run as root), created on first use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def pgvector_server(data_dir: Path) -> Iterator[str]:
    """The admin URL (`postgresql://postgres@/postgres?host=<socket dir>`) of a running server."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

        data_dir.mkdir(parents=True, exist_ok=True)
        server: Any = pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the same server."""
    base, _, query = admin_url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")

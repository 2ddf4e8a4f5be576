"""Search runs on a third engine too: PostgreSQL with pgvector (vectors in an HNSW index), from
the `pgserver` package (tests/support/pgvector.py). In CI a missing pgvector is a failure."""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from pathlib import Path
from typing import Any

import pytest

from agent_hub.config import Settings
from agent_hub.db.migrate import upgrade
from tests.conftest import ENGINES, migrated_database, unavailable
from tests.support import db as dbsupport
from tests.support import pgvector

SEARCH_ENGINES = [*ENGINES, "pgvector"] if "postgres" in ENGINES else ENGINES


@pytest.fixture(scope="session", params=SEARCH_ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(engine_name: str, tmp_root: Path) -> Any:
    if engine_name != "pgvector":
        yield from migrated_database(engine_name, tmp_root)
        return
    if importlib.util.find_spec("pgserver") is None:
        unavailable("pgvector (the pgserver package)")
    with pgvector.pgvector_server() as admin:
        name = f"agent_hub_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(dbsupport.pg_create(admin, name))
        url = pgvector.database_url(admin, name)
        upgrade(Settings(database_url=url, data_dir=tmp_root))
        yield url

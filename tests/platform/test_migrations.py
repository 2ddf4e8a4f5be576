"""Migrations: upgrade from empty, no drift from the models, downgrade/upgrade round trip."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from agent_hub.config import Settings
from agent_hub.db import migrate
from tests.conftest import ENGINES, PG_ADMIN_URL, unavailable
from tests.support import db as dbsupport


@pytest.fixture(params=ENGINES)
def fresh_settings(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield Settings(database_url=f"sqlite:///{tmp_path / 'mig.db'}", data_dir=tmp_path)
        return
    if not asyncio.run(dbsupport.pg_available(PG_ADMIN_URL)):
        unavailable("PostgreSQL")
    name = f"agent_hub_mig_{uuid.uuid4().hex[:8]}"
    asyncio.run(dbsupport.pg_create(PG_ADMIN_URL, name))
    yield Settings(database_url=PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, data_dir=tmp_path)
    asyncio.run(dbsupport.pg_drop(PG_ADMIN_URL, name))


def test_upgrade_check_downgrade_roundtrip(fresh_settings: Settings) -> None:
    migrate.upgrade(fresh_settings)
    migrate.check(fresh_settings)  # raises when models and migrations disagree
    migrate.downgrade(fresh_settings, "base")
    migrate.upgrade(fresh_settings)
    migrate.check(fresh_settings)

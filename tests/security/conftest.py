"""Fixtures for owner-auth tests: a hub with cheap argon2, and a signed-in owner."""

from __future__ import annotations

import pytest

from tests.auth.support import FAST, Owner, make_owner
from tests.conftest import Hub, HubFactory


@pytest.fixture
async def auth_hub(make_hub: HubFactory) -> Hub:
    return await make_hub(**FAST)


@pytest.fixture
async def owner(auth_hub: Hub) -> Owner:
    return await make_owner(auth_hub)

"""A bounded schemathesis run over the OpenAPI document: no 5xx, and every response matches
the documented schema, status codes and content types."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agent_hub.app import create_app
from agent_hub.db.migrate import upgrade
from tests.conftest import base_settings
from tests.support.server import LiveServer

_STATE: dict[str, object] = {}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    data = tmp_path_factory.mktemp("schemathesis")
    settings_ = base_settings(f"sqlite+aiosqlite:///{data / 'st.db'}", Path(data), docs_enabled=True)
    upgrade(settings_)
    app = create_app(settings_)
    with LiveServer(app) as server:
        reg = httpx.post(server.url + "/api/v1/agents/register", json={"name": "fuzzer"}).json()
        httpx.post(server.url + "/api/v1/agents/register", json={"name": "fuzz_target"})
        _STATE.update(url=server.url, headers={"Authorization": "Bearer " + reg["agent"]["api_key"]})
        yield _STATE


def _schema() -> schemathesis.schemas.BaseSchema:
    app = create_app(base_settings("sqlite+aiosqlite:///:memory:", Path("/tmp"), docs_enabled=True))
    return schemathesis.openapi.from_dict(app.openapi())


schema = _schema()


@pytest.mark.usefixtures("live")
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    response = case.call(base_url=str(_STATE["url"]), headers=dict(_STATE["headers"]))  # type: ignore[arg-type]
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )

"""SECURITY rows 29, 30, 40: schemathesis over the whole OpenAPI document, positive and
negative data, on both engines, against a real server — no answer is a 5xx.

Every operation gets generated requests with a valid agent key (and the agent's identity on
the owner routes' cookies is absent, so those answer 401/403: they are still fuzzed for
5xx). A failure lists the operation and a curl command that reproduces it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.realtime.live import live_servers, register

EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 8}


def _fuzz(base: str, key: str) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, count in EXAMPLES.items():

            @settings(
                max_examples=count,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal calls
                try:
                    response = case.call(base_url=base, headers=headers, timeout=30)
                except Exception:  # a request that cannot be sent (e.g. an unencodable header)
                    return
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"{case.operation.label} {response.status_code}: {case.as_curl_command()}")

            try:
                run()
            except Unsatisfiable:
                continue
    return calls, failures


async def test_no_generated_request_gets_a_5xx(database_url: str, tmp_path: Path) -> None:
    async with live_servers(database_url, tmp_path) as (server,):
        agent = await register(server.base)
        calls, failures = await asyncio.to_thread(_fuzz, server.base, agent.key)
    assert calls > 300, calls
    assert failures == [], "\n".join(failures[:20])

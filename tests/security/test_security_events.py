"""Security events (SECURITY rows 22, 39): a structured log line and a metric per kind — bad or
revoked keys (short prefix only), 401/403 on owner routes, rate-limit hits, CSRF refusals and
webhook SSRF refusals — with the log rate-limited and no secret in it."""

from __future__ import annotations

import logging
import re
import secrets

import pytest

from agent_hub import security_events
from tests.conftest import Hub, HubFactory


async def _count(hub: Hub, kind: str) -> float:
    text = (await hub.client.get("/metrics")).text
    found = re.search(rf'^security_events_total{{kind="{kind}"}} (\S+)$', text, flags=re.M)
    return float(found.group(1)) if found else 0.0


def _events(caplog: pytest.LogCaptureFixture, kind: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == f"security.{kind}"]


async def test_each_kind_is_logged_and_counted(make_hub: HubFactory, caplog: pytest.LogCaptureFixture) -> None:
    hub = await make_hub(rate_limits="moltbook")
    agent = await hub.register()
    key = "moltbook_sk_" + secrets.token_urlsafe(24)
    before = {kind: await _count(hub, kind) for kind in security_events.KINDS}
    security_events._buckets.clear()  # a fresh log budget for this test
    with caplog.at_level(logging.INFO, logger="agent_hub"):
        assert (
            await hub.client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {key}"})
        ).status_code == 401
        assert (await hub.client.get("/auth/sessions")).status_code == 401
        assert (await hub.client.post("/auth/logout")).status_code == 403  # no CSRF proof
        resp = await agent.request("PUT", "/api/v1/agents/me/webhook", json={"url": "https://127.0.0.1/hook"})
        assert resp.status_code == 400
        for _ in range(hub.app.state.limits.writes.limit + 1):
            last = await agent.post("/api/v1/agents/nobody/follow")
        assert last.status_code == 429
    for kind in security_events.KINDS:
        assert await _count(hub, kind) > before[kind], kind
        assert _events(caplog, kind), kind
    bad = _events(caplog, "bad_key")[0]
    assert bad.key_prefix == key.removeprefix("moltbook_")[:7] and bad.ip == "203.0.113.7"  # type: ignore[attr-defined]
    assert _events(caplog, "owner_denied")[0].status == 401  # type: ignore[attr-defined]
    assert _events(caplog, "rate_limited")[-1].rule == "writes"  # type: ignore[attr-defined]
    assert _events(caplog, "csrf_refused")[0].reason == "missing X-Requested-With"  # type: ignore[attr-defined]
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert key not in text and key[12:] not in text and agent.key not in text


async def test_the_log_is_rate_limited_but_the_metric_counts_everything(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    before = await _count(hub, "bad_key")
    security_events._buckets.clear()
    with caplog.at_level(logging.INFO, logger="agent_hub"):
        for _ in range(60):
            key = "moltbook_sk_" + secrets.token_urlsafe(24)
            await hub.client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {key}"})
    assert await _count(hub, "bad_key") - before == 60
    logged = _events(caplog, "bad_key")
    assert int(security_events.LOG_BURST) <= len(logged) < 40

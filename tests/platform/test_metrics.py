"""Prometheus metrics use route templates as labels, never raw paths."""

from __future__ import annotations

from tests.conftest import Hub


async def test_metrics_use_route_templates(hub: Hub) -> None:
    await hub.register("metric_a")
    await hub.client.get("/api/v1/agents/profile?name=metric_a")
    await hub.client.post("/api/v1/agents/metric_a/follow")
    await hub.client.get("/api/v1/this/does/not/exist/12345")
    text = (await hub.client.get("/metrics")).text
    assert 'http_requests_total{method="POST",route="/api/v1/agents/register",status="201"}' in text
    assert 'route="/api/v1/agents/{name}/follow"' in text
    assert "metric_a/follow" not in text
    labels = [line.split("}", 1)[0] for line in text.splitlines() if "{" in line]  # not the values
    assert not any("12345" in label for label in labels) and 'route="unmatched"' in text
    assert "http_request_duration_seconds_bucket" in text


async def test_metrics_can_be_restricted_to_cidrs(make_hub) -> None:  # type: ignore[no-untyped-def]
    hub = await make_hub(metrics_allowed_cidrs=["10.0.0.0/8"])
    resp = await hub.client.get("/metrics")  # the test client's address is 203.0.113.7
    assert resp.status_code == 404

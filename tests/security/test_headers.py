"""SECURITY rows 30, 33, 34, 40: security headers, CORS allowlist, methods, docs off in production."""

from __future__ import annotations

from tests.auth.support import FAST, Owner
from tests.conftest import Hub, HubFactory


async def test_security_headers_on_json_error_and_auth_responses(owner: Owner) -> None:
    hub: Hub = owner.hub
    responses = [
        await owner.browser.get("/api/v1/agents/me"),  # authenticated JSON
        await hub.client.get("/api/v1/agents/me"),  # error
        await hub.client.get("/api/v1/nope"),  # 404
        await owner.browser.get("/auth/status"),
        await owner.browser.post("/auth/logout"),
    ]
    for resp in responses:
        h = resp.headers
        assert h["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")
        assert h["cache-control"] == "no-store"
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert h["content-type"].startswith("application/json")


async def test_cors_is_a_strict_allowlist(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, allowed_origins=["https://ui.example.org", "null"])
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    evil = await hub.client.options("/api/v1/agents/me", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in evil.headers
    null = await hub.client.options("/api/v1/agents/me", headers={"Origin": "null", **pre})
    assert null.headers.get("access-control-allow-origin") != "null"
    good = await hub.client.options("/api/v1/agents/me", headers={"Origin": "https://ui.example.org", **pre})
    assert good.headers["access-control-allow-origin"] == "https://ui.example.org"
    get = await hub.client.get("/api/v1/agents/profile?name=x", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in get.headers


async def test_cors_off_without_allowed_origins(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    resp = await hub.client.get("/auth/status", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in resp.headers


async def test_unused_methods_get_405_with_allow(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    resp = await hub.client.request("TRACE", "/auth/status")
    assert resp.status_code == 405 and "GET" in resp.headers.get("allow", "")
    resp = await hub.client.put(
        "/auth/login/password", json={}, headers={"X-Requested-With": "agent-hub", "Origin": "http://localhost:8000"}
    )
    assert resp.status_code == 405 and resp.headers["allow"] == "POST"


async def test_docs_and_openapi_off_in_production(make_hub: HubFactory) -> None:
    prod = await make_hub(**FAST, environment="production")
    for path in ("/docs", "/openapi.json"):
        assert (await prod.client.get(path)).status_code == 404
    assert "/docs" not in {getattr(r, "path", None) for r in prod.app.routes}


async def test_oversized_body_is_413(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    resp = await hub.client.post(
        "/auth/login/password",
        headers={"X-Requested-With": "agent-hub", "Origin": "http://localhost:8000"},
        json={"username": "a", "password": "x" * 2_000_000, "totp_code": "1"},
    )
    assert resp.status_code == 413


async def test_unhandled_error_is_a_generic_json_500(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)

    async def boom() -> None:
        raise RuntimeError("secret internals")

    import httpx

    hub.app.add_api_route("/api/v1/_test_boom", boom)
    transport = httpx.ASGITransport(app=hub.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        resp = await client.get("/api/v1/_test_boom")
    assert resp.status_code == 500
    body = resp.json()
    assert body["detail"] == "internal error" and body["request_id"] and body["code"] == "INTERNAL_ERROR"
    assert "secret internals" not in resp.text and "Traceback" not in resp.text


async def test_metrics_not_public_outside_the_allowed_networks(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, metrics_allowed_cidrs=["10.0.0.0/8"])
    resp = await hub.client.get("/metrics")  # the test client's address is 203.0.113.7
    assert resp.status_code in (403, 404) and "auth_attempts_total" not in resp.text

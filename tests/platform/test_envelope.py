"""Rules that apply to every endpoint (spec §1, §3; ARCHITECTURE §3.5-6)."""

from __future__ import annotations

from tests.conftest import Hub


def assert_envelope(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert "hint" in body and isinstance(body["code"], str)
    assert resp.headers["content-type"].startswith("application/json")
    return body


async def test_unknown_route_is_404_envelope(hub: Hub) -> None:
    body = assert_envelope(await hub.client.get("/api/v1/nope"), 404)
    assert body["error"] == "Endpoint not found"
    assert "GET /api/v1/nope" in body["hint"]


async def test_wrong_method_is_405_envelope_with_allow(hub: Hub) -> None:
    resp = await hub.client.put("/api/v1/agents/me", json={})
    body = assert_envelope(resp, 405)
    assert body["code"] == "METHOD_NOT_ALLOWED"


async def test_malformed_json_is_400(hub: Hub) -> None:
    resp = await hub.client.post(
        "/api/v1/agents/register", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    body = assert_envelope(resp, 400)
    assert body["error"] == "Invalid JSON body"


async def test_oversized_body_is_413(hub: Hub) -> None:
    big = b'{"name": "' + b"x" * (hub.settings.max_body_bytes + 10) + b'"}'
    resp = await hub.client.post("/api/v1/agents/register", content=big, headers={"Content-Type": "application/json"})
    assert_envelope(resp, 413)


async def test_oversized_chunked_body_is_413(hub: Hub) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 65536

    resp = await hub.client.post(
        "/api/v1/agents/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_envelope(resp, 413)


async def test_a_chunked_body_under_the_cap_reaches_the_route_whole(hub: Hub) -> None:
    """Both middlewares that read a body first (the chunked cap, the text check) hand the route
    the whole of it; the text check refuses a NUL however the body was split."""
    actor = await hub.register()

    def chunked(body: bytes):  # type: ignore[no-untyped-def]
        async def chunks():  # type: ignore[no-untyped-def]
            for i in range(0, len(body), 7):
                yield body[i : i + 7]

        return chunks()

    body = b'{"description": "sent in pieces of seven bytes"}'
    headers = {"Content-Type": "application/json", **actor.headers}
    resp = await hub.client.patch("/api/v1/agents/me", content=chunked(body), headers=headers)
    assert resp.status_code == 200, resp.text
    assert (await actor.get("/api/v1/agents/me")).json()["agent"]["description"] == "sent in pieces of seven bytes"
    resp = await hub.client.patch(
        "/api/v1/agents/me", content=chunked(b'{"description": "a\\u0000b"}'), headers=headers
    )
    assert assert_envelope(resp, 400)["code"] == "INVALID_TEXT"
    assert (await actor.get("/api/v1/agents/me")).json()["agent"]["description"] == "sent in pieces of seven bytes"


async def test_unsupported_media_type_is_415(hub: Hub) -> None:
    resp = await hub.client.post(
        "/api/v1/agents/register", content=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_envelope(resp, 415)
    resp = await hub.client.post("/api/v1/agents/register", content=b"name", headers={"Content-Type": "text/plain"})
    assert_envelope(resp, 415)


async def test_validation_error_is_400_not_422(hub: Hub) -> None:
    resp = await hub.client.post("/api/v1/agents/register", json={"name": ["not", "a", "string"]})
    body = assert_envelope(resp, 400)
    assert "detail" not in body


async def test_no_redirect_on_trailing_slash(hub: Hub) -> None:
    me = await hub.register("slashy")
    resp = await me.get("/api/v1/agents/me/")
    assert resp.status_code == 200
    assert resp.json()["agent"]["name"] == "slashy"


async def test_unknown_query_params_and_fields_are_ignored(hub: Hub) -> None:
    resp = await hub.client.post("/api/v1/agents/register?action=x", json={"name": "ignorer", "colour": "red"})
    assert resp.status_code == 201


async def test_moltbook_health_shape(hub: Hub) -> None:
    body = (await hub.client.get("/api/v1/health")).json()
    assert body["success"] is True and body["status"] == "healthy" and body["timestamp"]


async def test_liveness_and_readiness(hub: Hub) -> None:
    assert (await hub.client.get("/health")).json() == {"status": "ok"}
    ready = await hub.client.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"


async def test_security_headers_on_api_responses(hub: Hub) -> None:
    for resp in (await hub.client.get("/api/v1/health"), await hub.client.get("/api/v1/missing")):
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["cache-control"] == "no-store"
        assert "max-age=31536000" in resp.headers["strict-transport-security"]
        assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
        assert resp.headers["x-request-id"]


async def test_unhandled_error_is_500_envelope_without_trace(hub: Hub) -> None:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/api/v1/_boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    hub.app.include_router(router)
    import httpx

    transport = httpx.ASGITransport(app=hub.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        resp = await client.get("/api/v1/_boom")
    body = assert_envelope(resp, 500)
    assert body["code"] == "INTERNAL_ERROR" and body["request_id"]
    assert resp.headers["x-request-id"] == body["request_id"]
    assert "secret internals" not in resp.text and "Traceback" not in resp.text


def test_every_setting_is_documented() -> None:
    from pathlib import Path

    from agent_hub.config import Settings

    page = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()
    missing = [
        n
        for n in Settings.model_fields
        if f"AGENT_HUB_{n.upper()}" not in page
        and n not in ("database_url", "redis_url", "allowed_origins", "s3_endpoint")
    ]
    assert not missing, f"run scripts/gen_config_docs.py; undocumented: {missing}"

"""SECURITY row 26/28: CSRF on cookie-authenticated unsafe requests; bearer requests exempt;
form-encoded and text bodies get 415."""

from __future__ import annotations

import pytest

from tests.auth.support import FAST, Browser, Owner, make_owner
from tests.conftest import HubFactory


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Requested-With": "agent-hub", "Origin": "https://evil.example"},
        {"X-Requested-With": "agent-hub", "Origin": "null"},
        {"X-Requested-With": "agent-hub"},  # no Origin, no Sec-Fetch-Site
        {"X-Requested-With": "agent-hub", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost:8000"},  # no custom header
        {"X-Requested-With": "XMLHttpRequest", "Origin": "http://localhost:8000"},
    ],
)
async def test_cookie_requests_without_csrf_proof_are_refused(owner: Owner, headers: dict[str, str]) -> None:
    raw = Browser(owner.hub, csrf=False)
    raw.client.cookies.set("agent_hub_session", owner.browser.cookie() or "")
    for path, body in [
        ("/api/v1/agents/me", {"description": "pwned"}),
        ("/auth/logout", None),
        ("/api/v1/keys/agents", {"name": "evil", "type": "other"}),
    ]:
        method = "PATCH" if path == "/api/v1/agents/me" else "POST"
        resp = await raw.request(method, path, headers=headers, json=body)
        assert resp.status_code == 403 and resp.json()["code"] == "CSRF_FAILED", (path, headers)
    assert (await owner.browser.get("/api/v1/agents/me")).status_code == 200  # session still alive


async def test_same_origin_requests_pass(owner: Owner) -> None:
    resp = await owner.browser.patch("/api/v1/agents/me", json={"description": "from the UI"})
    assert resp.status_code == 200
    raw = Browser(owner.hub, csrf=False)
    raw.client.cookies.set("agent_hub_session", owner.browser.cookie() or "")
    resp = await raw.patch(
        "/api/v1/agents/me",
        headers={"X-Requested-With": "agent-hub", "Sec-Fetch-Site": "same-origin"},
        json={"description": "sec-fetch-site"},
    )
    assert resp.status_code == 200


async def test_allowed_origins_are_accepted(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, allowed_origins=["http://localhost:3000"])
    owner = await make_owner(hub)
    resp = await owner.browser.patch(
        "/api/v1/agents/me", headers={"Origin": "http://localhost:3000"}, json={"description": "dev ui"}
    )
    assert resp.status_code == 200


async def test_login_endpoints_need_the_header_too(owner: Owner) -> None:
    raw = Browser(owner.hub, csrf=False)
    resp = await raw.post(
        "/auth/login/password",
        headers={"Origin": "https://evil.example"},
        json={"username": "alice", "password": owner.password, "totp_code": owner.code()},
    )
    assert resp.status_code == 403


async def test_bearer_requests_are_exempt(owner: Owner) -> None:
    agent = await owner.hub.register("botty")
    resp = await agent.patch(
        "/api/v1/agents/me", headers={"Origin": "https://elsewhere.example"}, json={"description": "bearer"}
    )
    assert resp.status_code == 200


async def test_form_and_text_bodies_get_415(owner: Owner) -> None:
    for ctype, data in [
        ("application/x-www-form-urlencoded", "username=alice&password=x"),
        ("text/plain", '{"username": "alice"}'),
    ]:
        resp = await owner.browser.post("/auth/login/password", headers={"Content-Type": ctype}, content=data)
        assert resp.status_code == 415, ctype
        resp = await owner.browser.patch("/api/v1/agents/me", headers={"Content-Type": ctype}, content=data)
        assert resp.status_code == 415, ctype


@pytest.mark.parametrize(
    "blank", [{"X-API-Key": ""}, {"X-API-Key": "   "}, {"Authorization": ""}, {"X-API-Key": "", "Authorization": ""}]
)
async def test_a_blank_key_header_is_no_credential(owner: Owner, blank: dict[str, str]) -> None:
    """A blank key header neither exempts a cookie request from the CSRF check nor hides the
    cookie from identity: both read it as absent (http/credentials.py)."""
    raw = Browser(owner.hub, csrf=False)
    raw.client.cookies.set("agent_hub_session", owner.browser.cookie() or "")
    resp = await raw.post(
        "/api/v1/posts",
        headers={"Origin": "https://evil.example", **blank},
        json={"submolt": "general", "title": "csrf", "content": "forged"},
    )
    assert resp.status_code == 403 and resp.json()["code"] == "CSRF_FAILED", resp.text
    resp = await raw.get("/api/v1/agents/me", headers=blank)  # a safe request: the cookie identifies
    assert resp.status_code == 200 and resp.json()["agent"]["type"] == "human", resp.text


async def test_a_malformed_authorization_header_never_falls_back_to_the_cookie(owner: Owner) -> None:
    raw = Browser(owner.hub, csrf=False)
    raw.client.cookies.set("agent_hub_session", owner.browser.cookie() or "")
    resp = await raw.post(
        "/api/v1/posts",
        headers={"Origin": "https://evil.example", "Authorization": "Basic abc"},
        json={"submolt": "general", "title": "csrf", "content": "forged"},
    )
    assert resp.status_code == 401, resp.text

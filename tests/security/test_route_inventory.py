"""SECURITY rows 12, 23: deny by default. Every unsafe route outside the allowlist answers 401
without credentials; owner-only reads too. New routes are covered automatically."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts

from tests.auth.support import FAST, Browser
from tests.conftest import HubFactory

# Unsafe routes that are public on purpose (each with the reason).
PUBLIC_UNSAFE = {
    ("POST", "/api/v1/agents/register"),  # Moltbook self-registration (gated by AGENT_HUB_REGISTRATION)
    ("POST", "/auth/setup/start"),  # needs the one-time setup token
    ("POST", "/auth/setup/passkey/options"),  # needs the setup pre-auth cookie
    ("POST", "/auth/setup/passkey"),
    ("POST", "/auth/setup/password"),
    ("POST", "/auth/setup/totp"),
    ("POST", "/auth/login/passkey/challenge"),  # sign-in itself
    ("POST", "/auth/login/passkey"),
    ("POST", "/auth/login/password"),
    ("POST", "/auth/logout"),  # harmless without a session
}
OWNER_READS = [
    "/auth/sessions",
    "/auth/passkeys",
    "/auth/backup-codes",
    "/auth/events",
    "/api/v1/keys",
    "/api/v1/claims",
    "/api/v1/claims/moltbook_claim_x",
    "/api/v1/agents/me",
    "/api/v1/agents/status",
]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for rc in iter_route_contexts(app.routes):
        methods = getattr(rc.original_route, "methods", None) or set()
        for method in sorted(methods & UNSAFE):
            if rc.path:
                out.append((method, rc.path))
    return out


async def test_every_unsafe_route_needs_credentials(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, registration="claim")
    routes = _routes(hub.app)
    assert ("POST", "/api/v1/keys/agents") in routes and ("DELETE", "/auth/passkeys/{passkey_id}") in routes
    b = Browser(hub)  # sends the CSRF headers, so this checks authentication, not CSRF
    failures = []
    for method, path in routes:
        if (method, path) in PUBLIC_UNSAFE:
            continue
        url = re.sub(r"\{[^}]+\}", "x1", path)
        resp = await b.request(method, url, json={})
        if resp.status_code in (404, 405, 415):  # upload routes only take multipart bodies
            resp = await b.request(method, url, files={"file": ("a.png", b"\x89PNG", "image/png")})
        if resp.status_code != 401:
            failures.append((method, path, resp.status_code, resp.text[:120]))
    assert failures == [], "\n".join(map(str, failures))


async def test_owner_reads_need_the_session(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    b = Browser(hub)
    for path in OWNER_READS:
        assert (await b.get(path)).status_code == 401, path
    for path in OWNER_READS[:-2]:
        bogus = Browser(hub)
        bogus.client.cookies.set("agent_hub_session", "forged-value")
        assert (await bogus.get(path)).status_code == 401, path

"""SECURITY rows 9, 10, 12, 15: real WebAuthn ceremonies in headless Chromium with a virtual
authenticator (CDP), against a real uvicorn server on loopback, recipe in docs/security.md.

The test page is served by this fixture only (added to the app under /_test/), never by the
product. In CI (CI=true) a missing Chromium or Playwright fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.responses import HTMLResponse

from agent_hub.app import create_app
from agent_hub.auth import setup
from agent_hub.auth.runtime import AuthRuntime
from agent_hub.db.engine import make_engine, make_sessionmaker
from tests.auth.support import FAST
from tests.conftest import base_settings, unavailable
from tests.support import db as dbsupport

CHROMIUM = os.environ.get("AGENT_HUB_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE = (Path(__file__).parent / "passkey_page.html").read_text()
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://localhost:{self.port}"
        self.settings = base_settings(database_url, data_dir, public_url=self.base, **FAST)
        app = create_app(self.settings)

        async def page(_: Any) -> HTMLResponse:
            return HTMLResponse(PAGE)

        app.add_route("/_test/passkeys", page)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    async def setup_token(self) -> str:
        engine = make_engine(self.settings)
        try:
            async with make_sessionmaker(engine)() as db, db.begin():
                return await setup.issue_token(db, AuthRuntime(self.settings, None))
        finally:
            await engine.dispose()


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[Server]:
    await dbsupport.truncate_all(database_url)
    srv = Server(database_url, tmp_path)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("PyPI playwright (the test extra in pyproject.toml)")
    profile = tempfile.mkdtemp(prefix="agent-hub-chromium-")
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            yield context
        finally:
            await context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
async def browser(chromium: Any) -> AsyncIterator[Any]:
    """One Chromium per module; every test starts without cookies and closes its pages."""
    await chromium.clear_cookies()
    yield chromium
    for page in list(chromium.pages):
        await page.close()


class Device:
    """A page with its own virtual authenticator."""

    def __init__(self, page: Any, cdp: Any, authenticator_id: str) -> None:
        self.page, self.cdp, self.authenticator_id = page, cdp, authenticator_id

    async def call(self, js: str, *args: Any) -> Any:
        if len(args) == 1:
            return await self.page.evaluate(js, args[0])
        return await self.page.evaluate(js, list(args) if args else None)

    async def credentials(self) -> list[dict[str, Any]]:
        out = await self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})
        return list(out["credentials"])

    async def new_authenticator(self, credentials: list[dict[str, Any]] | None = None) -> None:
        await self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.authenticator_id})
        out = await self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        self.authenticator_id = out["authenticatorId"]
        for cred in credentials or []:
            await self.cdp.send(
                "WebAuthn.addCredential", {"authenticatorId": self.authenticator_id, "credential": cred}
            )


async def _device(context: Any, url: str) -> Device:
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable", {"enableUI": False})
    out = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    await page.goto(url)
    return Device(page, cdp, out["authenticatorId"])


async def _set_up(server: Server, browser: Any) -> Device:
    dev = await _device(browser, server.base + "/_test/passkeys")
    token = await server.setup_token()
    result = await dev.call("([t, u]) => window.setupPasskey(t, u)", token, "alice")
    assert result["status"] == 201, result
    assert result["body"]["session"]["auth_method"] == "passkey"
    creds = await dev.credentials()
    assert len(creds) == 1 and creds[0]["isResidentCredential"] and creds[0]["rpId"] == "localhost"
    return dev


async def _me(dev: Device) -> int:
    return int((await dev.call("() => window.call('/api/v1/agents/me', 'GET')"))["status"])


async def test_setup_login_and_replay(server: Server, browser: Any) -> None:
    dev = await _set_up(server, browser)
    assert await _me(dev) == 200
    assert (await dev.call("() => window.call('/auth/logout', 'POST')"))["status"] == 200
    assert await _me(dev) == 401
    login = await dev.call("() => window.login()")
    assert login["status"] == 200, login
    assert await _me(dev) == 200
    same = await dev.call("() => window.replaySameChallenge()")
    fresh = await dev.call("() => window.replayNewChallenge()")
    assert same["status"] == 400 and same["body"]["code"] == "PASSKEY_FAILED"
    assert fresh["status"] == 400 and fresh["body"]["code"] == "PASSKEY_FAILED"
    # a second page without the ceremony's pre-auth cookie cannot use a stolen assertion either
    status = (await dev.call("() => window.call('/auth/status', 'GET')"))["body"]
    assert status["setup_required"] is False and status["factors"]["passkeys"] == 1
    listed = (await dev.call("() => window.call('/auth/passkeys', 'GET')"))["body"]["passkeys"]
    renamed = await dev.call(
        "([p, b]) => window.call(p, 'PATCH', b)", f"/auth/passkeys/{listed[0]['id']}", {"name": "Laptop"}
    )
    assert renamed["status"] == 200 and renamed["body"]["passkey"]["name"] == "Laptop"
    assert listed[0]["last_used_at"] is not None and "public_key" not in listed[0]


async def test_user_verification_is_required(server: Server, browser: Any) -> None:
    dev = await _set_up(server, browser)
    await dev.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": dev.authenticator_id, "isUserVerified": False})
    result = await dev.call("() => window.login()")
    assert result.get("error") == "NotAllowedError", result


async def test_rp_id_comes_from_config_not_the_host(server: Server, browser: Any) -> None:
    import httpx

    await _set_up(server, browser)
    # The server names RP ID "localhost" (from AGENT_HUB_PUBLIC_URL) even when asked via another Host.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        resp = await client.post(
            "/auth/login/passkey/challenge",
            headers={"X-Requested-With": "agent-hub", "Origin": server.base, "Host": "evil.example"},
        )
    options = resp.json()["publicKey"]
    assert options["rpId"] == "localhost"
    # A page on another origin cannot call the API (CSRF/Origin check) ...
    other = await _device(browser, f"http://127.0.0.1:{server.port}/_test/passkeys")
    result = await other.call("() => window.login()")
    assert result["status"] == 403 and result["body"]["code"] == "CSRF_FAILED"
    # ... and the browser refuses to use the configured RP ID there (wrong origin -> SecurityError).
    result = await other.call(
        """(o) => navigator.credentials.get({publicKey: PublicKeyCredential
        .parseRequestOptionsFromJSON(o)}).then(() => ({ok: true}), (e) => ({error: e.name}))""",
        options,
    )
    assert result == {"error": "SecurityError"}


async def test_removed_passkey_and_sign_count_regression(server: Server, browser: Any) -> None:
    dev = await _set_up(server, browser)
    first = await dev.credentials()
    # Add a second passkey from another authenticator (step-up is fresh right after setup).
    await dev.new_authenticator()
    added = await dev.call("(n) => window.addPasskey(n)", "Virtual B")
    assert added["status"] == 201, added
    passkeys = (await dev.call("() => window.call('/auth/passkeys', 'GET')"))["body"]["passkeys"]
    assert [p["name"] for p in passkeys] == ["Virtual A", "Virtual B"]
    # Sign in with B twice so its server-side counter is > 0, then roll B's counter back.
    assert (await dev.call("() => window.login()"))["status"] == 200
    assert (await dev.call("() => window.login()"))["status"] == 200
    b_creds = await dev.credentials()
    assert b_creds[0]["signCount"] >= 2
    rolled = [{**b_creds[0], "signCount": 0}]
    await dev.new_authenticator(rolled)
    regressed = await dev.call("() => window.login()")
    assert regressed["status"] == 400 and regressed["body"]["code"] == "PASSKEY_FAILED", regressed
    # Remove passkey A (needs step-up: sign in again with B's real counter first).
    await dev.new_authenticator([{**b_creds[0]}])
    assert (await dev.call("() => window.login()"))["status"] == 200
    a_id = passkeys[0]["id"]
    removed = await dev.call("(p) => window.call(p, 'DELETE')", f"/auth/passkeys/{a_id}")
    assert removed["status"] == 200, removed
    # B is now the last factor: removing it is refused.
    last = await dev.call("(p) => window.call(p, 'DELETE')", f"/auth/passkeys/{passkeys[1]['id']}")
    assert last["status"] == 409 and last["body"]["code"] == "LAST_FACTOR"
    # Authenticator A's credential can never sign in again.
    await dev.new_authenticator(first)
    result = await dev.call("() => window.login()")
    assert result["status"] == 400 and result["body"]["code"] == "PASSKEY_FAILED", result
    events = await dev.call("() => window.call('/auth/events', 'GET')")
    assert events["status"] == 200  # the session from B's sign-in is still valid
    kinds = [e["kind"] for e in events["body"]["events"]]
    assert "passkey_removed" in kinds and kinds.count("passkey_added") == 2


async def test_step_up_with_passkey_rotates_the_session(server: Server, browser: Any) -> None:
    dev = await _set_up(server, browser)
    before = await dev.page.context.cookies()
    result = await dev.call("() => window.stepUp()")
    assert result["status"] == 200, result
    after = await dev.page.context.cookies()
    old = next(c["value"] for c in before if c["name"] == "agent_hub_session")
    new = next(c["value"] for c in after if c["name"] == "agent_hub_session")
    assert old != new and await _me(dev) == 200

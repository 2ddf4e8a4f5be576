"""Helpers for owner-auth tests: a browser-like client per device, a fake clock, and ready
owners (password + TOTP). Imported by tests/auth and tests/security."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyotp

from agent_hub.auth import setup
from tests.conftest import Hub

# Cheap argon2 so the suite stays fast; tests of hashing cost set their own parameters.
FAST: dict[str, Any] = {
    "argon2_time_cost": 1,
    "argon2_memory_kib": 1024,
    "argon2_parallelism": 1,
    "secret_key": "test-secret-not-for-production",
}
PASSWORD = "plum tractor violet 42 harbour"
START = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def install_clock(hub: Hub, clock: FakeClock | None = None) -> FakeClock:
    clock = clock or FakeClock()
    hub.app.state.auth.clock = clock
    return clock


class Browser:
    """One device: its own cookie jar, IP and user agent; sends the CSRF headers by default."""

    def __init__(self, hub: Hub, ip: str = "203.0.113.7", csrf: bool = True, ua: str = "TestBrowser/1.0") -> None:
        self.hub = hub
        base = hub.settings.public_base
        parts = urlsplit(base)
        headers = {"User-Agent": ua}
        if csrf:
            headers.update({"X-Requested-With": "agent-hub", "Origin": f"{parts.scheme}://{parts.netloc}"})
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=hub.app, client=(ip, 50001)), base_url=base, headers=headers
        )

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return await self.client.request(method, path, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)

    def cookie(self, name: str = "agent_hub_session") -> str | None:
        for c in self.client.cookies.jar:
            if c.name.endswith(name):
                return c.value
        return None

    async def aclose(self) -> None:
        await self.client.aclose()


async def setup_token(hub: Hub) -> str:
    async with hub.app.state.sessionmaker() as db, db.begin():
        return await setup.issue_token(db, hub.app.state.auth)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


@dataclass
class Owner:
    hub: Hub
    browser: Browser
    clock: FakeClock
    username: str
    password: str
    totp_secret: str
    backup_codes: list[str] = field(default_factory=list)

    def code(self) -> str:
        return code_at(self.totp_secret, self.clock.now)

    async def login(self, browser: Browser | None = None, **kw: Any) -> httpx.Response:
        """Password + TOTP sign-in on `browser` (a new device by default); moves the clock one
        TOTP step first so the code is fresh."""
        self.clock.advance(seconds=30)
        browser = browser or Browser(self.hub, **kw)
        resp = await browser.post(
            "/auth/login/password",
            json={"username": self.username, "password": self.password, "totp_code": self.code()},
        )
        assert resp.status_code == 200, resp.text
        return resp

    async def step_up(self, browser: Browser | None = None) -> httpx.Response:
        self.clock.advance(seconds=30)
        resp = await (browser or self.browser).post(
            "/auth/step-up/password", json={"password": self.password, "totp_code": self.code()}
        )
        assert resp.status_code == 200, resp.text
        return resp


async def make_owner(
    hub: Hub, username: str = "alice", password: str = PASSWORD, clock: FakeClock | None = None, ip: str = "203.0.113.7"
) -> Owner:
    """First-run setup with password + TOTP through the HTTP API; returns the signed-in owner."""
    clock = install_clock(hub, clock)
    browser = Browser(hub, ip=ip)
    token = await setup_token(hub)
    resp = await browser.post("/auth/setup/start", json={"setup_token": token, "username": username})
    assert resp.status_code == 200, resp.text
    resp = await browser.post("/auth/setup/password", json={"password": password})
    assert resp.status_code == 200, resp.text
    secret = resp.json()["totp"]["secret"]
    resp = await browser.post("/auth/setup/totp", json={"code": code_at(secret, clock.now)})
    assert resp.status_code == 201, resp.text
    return Owner(hub, browser, clock, username, password, secret, resp.json()["backup_codes"])

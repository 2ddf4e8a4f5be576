"""CLI (setup-token, reset-auth, serve preflight) and the auth metrics."""

from __future__ import annotations

import argparse
import asyncio

import pytest

from agent_hub import metrics
from agent_hub.auth import cli as auth_cli
from agent_hub.cli import COMMANDS, DOMAIN_COMMAND_MODULES, SERVE_PREFLIGHT
from tests.auth.support import Browser, Owner
from tests.conftest import Hub


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels or {}) or 0.0


def test_commands_are_registered() -> None:
    assert "agent_hub.auth.cli" in DOMAIN_COMMAND_MODULES
    assert "setup-token" in COMMANDS and "reset-auth" in COMMANDS
    assert auth_cli.preflight in SERVE_PREFLIGHT


async def test_preflight_prints_a_token_that_opens_setup(auth_hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    await asyncio.to_thread(auth_cli.preflight, auth_hub.settings)
    out = capsys.readouterr().err
    token = next(w for w in out.split() if w.startswith("ahs_"))
    resp = await Browser(auth_hub).post("/auth/setup/start", json={"setup_token": token, "username": "alice"})
    assert resp.status_code == 200


async def test_reset_auth_removes_factors_and_sessions(owner: Owner, capsys: pytest.CaptureFixture[str]) -> None:
    settings = owner.hub.settings
    assert await asyncio.to_thread(auth_cli.setup_token, argparse.Namespace(), settings) == 1  # setup closed
    code = await asyncio.to_thread(auth_cli.reset_auth, argparse.Namespace(yes=True), settings)
    assert code == 0
    token = next(w for w in capsys.readouterr().err.split() if w.startswith("ahs_"))
    assert (await owner.browser.get("/api/v1/agents/me")).status_code == 401  # sessions gone
    b = Browser(owner.hub, ip="192.0.2.44")
    status = (await b.get("/auth/status")).json()
    assert status["setup_required"] is True
    resp = await b.post("/auth/setup/start", json={"setup_token": token, "username": "ignored"})
    assert resp.status_code == 200 and resp.json()["username"] == "alice"  # same owner re-enrols
    secret = (await b.post("/auth/setup/password", json={"password": "a fresh passphrase for alice"})).json()
    import pyotp

    resp = await b.post("/auth/setup/totp", json={"code": pyotp.TOTP(secret["totp"]["secret"]).at(owner.clock.now)})
    assert resp.status_code == 201
    me = (await b.get("/api/v1/agents/me")).json()["agent"]
    assert me["name"] == "alice" and me["type"] == "human"


async def test_auth_metrics(owner: Owner) -> None:
    before_ok = _sample("auth_attempts_total", {"method": "password_totp", "success": "true"})
    before_bad = _sample("auth_attempts_total", {"method": "password", "success": "false"})
    await owner.login()
    await Browser(owner.hub, ip="192.0.2.66").post(
        "/auth/login/password", json={"username": "alice", "password": "wrong wrong wrong wrong", "totp_code": "123456"}
    )
    assert _sample("auth_attempts_total", {"method": "password_totp", "success": "true"}) == before_ok + 1
    assert _sample("auth_attempts_total", {"method": "password", "success": "false"}) == before_bad + 1
    assert _sample("active_sessions") >= 2

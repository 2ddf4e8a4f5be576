"""First-run setup: one-time expiring token, owner + human agent, factors, closed afterwards."""

from __future__ import annotations

from sqlalchemy import select

from agent_hub.auth.models import SetupToken
from tests.auth.support import PASSWORD, Browser, Owner, code_at, install_clock, make_owner, setup_token
from tests.conftest import Hub


async def test_fresh_install_has_no_loginable_account(auth_hub: Hub) -> None:
    b = Browser(auth_hub)
    status = (await b.get("/auth/status")).json()
    assert status["setup_required"] is True and status["authenticated"] is False and status["owner"] is None
    resp = await b.post(
        "/auth/login/password", json={"username": "admin", "password": "admin" * 4, "totp_code": "000000"}
    )
    assert resp.status_code == 401 and resp.json()["code"] == "INVALID_CREDENTIALS"
    assert (await b.get("/api/v1/agents/me")).status_code == 401


async def test_setup_with_password_and_totp_creates_owner_and_session(owner: Owner) -> None:
    me = await owner.browser.get("/api/v1/agents/me")
    assert me.status_code == 200, me.text
    assert me.json()["agent"]["type"] == "human" and me.json()["agent"]["name"] == "alice"
    status = (await owner.browser.get("/auth/status")).json()
    assert status["setup_required"] is False and status["authenticated"] is True
    assert status["factors"] == {"passkeys": 0, "password": True, "totp": True, "backup_codes_remaining": 10}
    assert len(owner.backup_codes) == 10 and len(set(owner.backup_codes)) == 10


async def test_setup_closes_for_good_and_token_is_single_use(auth_hub: Hub) -> None:
    clock = install_clock(auth_hub)
    spare = await setup_token(auth_hub)
    owner = await make_owner(auth_hub, clock=clock)
    b = Browser(auth_hub)
    resp = await b.post("/auth/setup/start", json={"setup_token": spare, "username": "intruder"})
    assert resp.status_code == 403 and resp.json()["code"] == "SETUP_CLOSED"
    async with auth_hub.app.state.sessionmaker() as db:
        rows = (await db.execute(select(SetupToken))).scalars().all()
    assert rows and all(r.used_at is not None for r in rows)  # the used one and the spare are void
    assert all(len(r.token_hash) == 64 and not r.token_hash.startswith("ahs_") for r in rows)
    assert owner.username == "alice"


async def test_invalid_and_expired_setup_tokens(auth_hub: Hub) -> None:
    clock = install_clock(auth_hub)
    b = Browser(auth_hub)
    resp = await b.post("/auth/setup/start", json={"setup_token": "ahs_wrong", "username": "alice"})
    assert resp.status_code == 401 and resp.json()["code"] == "INVALID_SETUP_TOKEN"
    token = await setup_token(auth_hub)
    clock.advance(hours=25)
    resp = await b.post("/auth/setup/start", json={"setup_token": token, "username": "alice"})
    assert resp.status_code == 401 and resp.json()["code"] == "INVALID_SETUP_TOKEN"


async def test_setup_refuses_weak_passwords_and_wrong_code(auth_hub: Hub) -> None:
    clock = install_clock(auth_hub)
    b = Browser(auth_hub)
    token = await setup_token(auth_hub)
    assert (await b.post("/auth/setup/start", json={"setup_token": token, "username": "alice"})).status_code == 200
    for weak in ("short pass", "passwordpassword", "aaaaaaaaaaaaaaaaaaaa", "1234567890123456"):
        resp = await b.post("/auth/setup/password", json={"password": weak})
        assert resp.status_code == 400 and resp.json()["code"] == "WEAK_PASSWORD", weak
    resp = await b.post("/auth/setup/password", json={"password": PASSWORD})
    secret = resp.json()["totp"]["secret"]
    assert resp.json()["totp"]["otpauth_uri"].startswith("otpauth://totp/")
    bad = "000000" if code_at(secret, clock.now) != "000000" else "111111"
    resp = await b.post("/auth/setup/totp", json={"code": bad})
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_CODE"
    assert (await b.get("/auth/status")).json()["setup_required"] is True
    resp = await b.post("/auth/setup/totp", json={"code": code_at(secret, clock.now)})
    assert resp.status_code == 201


async def test_setup_needs_the_pre_auth_cookie(auth_hub: Hub) -> None:
    resp = await Browser(auth_hub).post("/auth/setup/password", json={"password": PASSWORD})
    assert resp.status_code == 400

"""Sessions: cookie attributes, hashed storage, rotation, timeouts, logout, listing, revocation,
step-up."""

from __future__ import annotations

import hashlib
from http.cookies import SimpleCookie

from sqlalchemy import select

from agent_hub.auth.models import AuthSession
from tests.auth.support import FAST, Browser, Owner, make_owner
from tests.conftest import HubFactory


def _set_cookies(resp) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.split("=", 1)[0]: h for h in resp.headers.get_list("set-cookie")}


async def test_cookie_attributes_on_plain_http_dev(owner: Owner) -> None:
    resp = await owner.login()
    header = _set_cookies(resp)["agent_hub_session"]
    parsed = SimpleCookie(header)["agent_hub_session"]
    assert parsed["httponly"] and parsed["samesite"].lower() == "lax" and parsed["path"] == "/"
    assert not parsed["domain"] and not parsed["secure"]
    assert int(parsed["max-age"]) == 30 * 86400 and len(header) < 4096


async def test_host_prefixed_secure_cookie_on_https(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, public_url="https://hub.example.org")
    owner = await make_owner(hub)
    resp = await owner.login()
    header = _set_cookies(resp)["__Host-agent_hub_session"]
    parsed = SimpleCookie(header)["__Host-agent_hub_session"]
    assert parsed["secure"] and parsed["httponly"] and parsed["path"] == "/" and not parsed["domain"]
    assert parsed["samesite"].lower() == "lax"
    assert (await owner.browser.get("/api/v1/agents/me")).status_code == 200


async def test_token_is_random_and_only_its_hash_is_stored(owner: Owner) -> None:
    token = owner.browser.cookie()
    assert token and len(token) >= 43  # 32 random bytes, base64url
    async with owner.hub.app.state.sessionmaker() as db:
        rows = (await db.execute(select(AuthSession))).scalars().all()
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in (r.token_hash or "") for r in rows)


async def test_new_session_id_on_login_old_value_dead(owner: Owner) -> None:
    b = Browser(owner.hub)
    await owner.login(b)
    first = b.cookie()
    await owner.login(b)
    second = b.cookie()
    assert first and second and first != second
    stale = Browser(owner.hub)
    stale.client.cookies.set("agent_hub_session", first)
    assert (await stale.get("/api/v1/agents/me")).status_code == 200  # logins are separate sessions
    rotated = owner.browser.cookie()
    await owner.step_up()
    assert owner.browser.cookie() != rotated
    old = Browser(owner.hub)
    old.client.cookies.set("agent_hub_session", rotated or "")
    assert (await old.get("/api/v1/agents/me")).status_code == 401


async def test_idle_and_absolute_timeouts(owner: Owner) -> None:
    b = owner.browser
    owner.clock.advance(days=6, hours=23)
    assert (await b.get("/api/v1/agents/me")).status_code == 200
    owner.clock.advance(days=7, minutes=1)
    assert (await b.get("/api/v1/agents/me")).status_code == 401  # idle past 7 days
    b2 = Browser(owner.hub)
    await owner.login(b2)
    for _ in range(5):  # active every 5 days ...
        owner.clock.advance(days=5)
        assert (await b2.get("/api/v1/agents/me")).status_code == 200
    owner.clock.advance(days=5, hours=1)  # ... but 30 days after login
    assert (await b2.get("/api/v1/agents/me")).status_code == 401


async def test_logout_kills_the_server_side_session(owner: Owner) -> None:
    token = owner.browser.cookie()
    resp = await owner.browser.post("/auth/logout")
    assert resp.status_code == 200
    assert resp.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    replay = Browser(owner.hub)
    replay.client.cookies.set("agent_hub_session", token or "")
    assert (await replay.get("/api/v1/agents/me")).status_code == 401


async def test_list_and_revoke_sessions(owner: Owner) -> None:
    other = Browser(owner.hub, ip="192.0.2.55", ua="OtherDevice/2")
    await owner.login(other)
    listed = (await owner.browser.get("/auth/sessions")).json()["sessions"]
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    theirs = next(s for s in listed if not s["current"])
    assert theirs["ip"] == "192.0.2.55" and theirs["user_agent"] == "OtherDevice/2"
    for key in ("id", "created_at", "last_used_at", "expires_at", "idle_expires_at"):
        assert theirs[key]
    owner.clock.advance(minutes=11)
    resp = await owner.browser.delete(f"/auth/sessions/{theirs['id']}")
    assert resp.status_code == 401 and resp.json()["code"] == "step_up_required"
    await owner.step_up()
    assert (await owner.browser.delete(f"/auth/sessions/{theirs['id']}")).status_code == 200
    assert (await other.get("/api/v1/agents/me")).status_code == 401


async def test_revoke_all_other_sessions(owner: Owner) -> None:
    devices = [Browser(owner.hub, ip=f"192.0.2.{i}") for i in range(1, 4)]
    for d in devices:
        await owner.login(d)
    resp = await owner.browser.post("/auth/sessions/revoke-others")
    assert resp.status_code == 200 and resp.json()["revoked"] == 3
    for d in devices:
        assert (await d.get("/api/v1/agents/me")).status_code == 401
    assert (await owner.browser.get("/api/v1/agents/me")).status_code == 200


async def test_sensitive_actions_need_a_fresh_factor(owner: Owner) -> None:
    owner.clock.advance(minutes=11)
    for method, path, body in [
        ("POST", "/auth/backup-codes", None),
        ("POST", "/auth/totp/enroll", None),
        ("POST", "/auth/passkeys/options", None),
        ("POST", "/auth/password", {"current_password": owner.password, "new_password": "x" * 20}),
        ("POST", "/api/v1/keys/agents", {"name": "scout", "type": "claude"}),
        ("POST", "/auth/sessions/revoke-others", None),
    ]:
        resp = await owner.browser.request(method, path, json=body)
        assert resp.status_code == 401, (path, resp.text)
        assert resp.json()["code"] == "step_up_required" and resp.json()["step_up"] == ["password"]
    await owner.step_up()
    assert (await owner.browser.post("/auth/backup-codes")).status_code == 200


async def test_step_up_with_wrong_factor_is_refused(owner: Owner) -> None:
    owner.clock.advance(seconds=30)
    resp = await owner.browser.post(
        "/auth/step-up/password", json={"password": "nope nope nope nope", "totp_code": owner.code()}
    )
    assert resp.status_code == 401 and resp.json()["code"] == "INVALID_CREDENTIALS"


async def test_password_change_needs_current_password_and_ends_other_sessions(owner: Owner) -> None:
    other = Browser(owner.hub, ip="192.0.2.77")
    await owner.login(other)
    await owner.step_up()
    resp = await owner.browser.post("/auth/password", json={"new_password": "a brand new passphrase here"})
    assert resp.status_code == 403
    resp = await owner.browser.post(
        "/auth/password",
        json={"current_password": "wrong wrong wrong wrong", "new_password": "a brand new passphrase here"},
    )
    assert resp.status_code == 403
    resp = await owner.browser.post(
        "/auth/password", json={"current_password": owner.password, "new_password": "a brand new passphrase here"}
    )
    assert resp.status_code == 200 and resp.json()["revoked_sessions"] == 1
    assert (await other.get("/api/v1/agents/me")).status_code == 401
    owner.password = "a brand new passphrase here"
    await owner.login()
    kinds = [e["kind"] for e in (await owner.browser.get("/auth/events")).json()["events"]]
    assert "password_changed" in kinds


async def test_totp_reset_and_backup_code_regeneration(owner: Owner) -> None:
    import pyotp

    await owner.step_up()
    secret = (await owner.browser.post("/auth/totp/enroll")).json()["totp"]["secret"]
    resp = await owner.browser.post("/auth/totp/confirm", json={"code": pyotp.TOTP(secret).at(owner.clock.now)})
    assert resp.status_code == 200
    owner.totp_secret = secret
    await owner.login()
    old = owner.backup_codes[0]
    fresh = (await owner.browser.post("/auth/backup-codes")).json()["backup_codes"]
    assert len(fresh) == 10 and old not in fresh
    resp = await Browser(owner.hub, ip="192.0.2.99").post(
        "/auth/login/password", json={"username": "alice", "password": owner.password, "backup_code": old}
    )
    assert resp.status_code == 401
    kinds = {e["kind"] for e in (await owner.browser.get("/auth/events")).json()["events"]}
    assert {"totp_reset", "backup_codes_regenerated", "owner_created"} <= kinds

"""SECURITY rows 22, 39: every auth decision is logged (logger `agent_hub.audit`), and no key,
cookie, password, TOTP code, backup code or setup token ever reaches a log line."""

from __future__ import annotations

import io
import logging

from agent_hub.logs import JsonFormatter
from tests.auth.support import FAST, PASSWORD, Browser, code_at, install_clock, setup_token
from tests.conftest import HubFactory


async def test_logs_of_a_full_auth_run_hold_no_secrets(make_hub: HubFactory) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    records: list[logging.LogRecord] = []
    collector = logging.Handler()
    collector.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger("agent_hub")
    root.addHandler(handler)
    root.addHandler(collector)
    secrets: list[str] = [PASSWORD]
    try:
        hub = await make_hub(**FAST)
        clock = install_clock(hub)
        b = Browser(hub)
        wrong_token = "ahs_not_the_real_token_but_secret_looking"
        secrets.append(wrong_token)
        await b.post("/auth/setup/start", json={"setup_token": wrong_token, "username": "x1"})
        token = await setup_token(hub)
        secrets.append(token)
        await b.post("/auth/setup/start", json={"setup_token": token, "username": "alice"})
        seed = (await b.post("/auth/setup/password", json={"password": PASSWORD})).json()["totp"]["secret"]
        secrets.append(seed)
        code = code_at(seed, clock.now)
        secrets.append(code)
        done = (await b.post("/auth/setup/totp", json={"code": code})).json()
        secrets.extend(done["backup_codes"])
        secrets.append(b.cookie() or "missing")
        # failures: wrong password, replayed code, wrong setup token, unknown user
        other = Browser(hub, ip="198.51.100.200")
        await other.post(
            "/auth/login/password", json={"username": "alice", "password": PASSWORD + "!", "totp_code": code}
        )
        await other.post("/auth/login/password", json={"username": "alice", "password": PASSWORD, "totp_code": code})
        # success with a backup code, then key management
        clock.advance(seconds=30)
        ok = await Browser(hub, ip="198.51.100.201").post(
            "/auth/login/password",
            json={"username": "alice", "password": PASSWORD, "backup_code": done["backup_codes"][3]},
        )
        assert ok.status_code == 200
        created = (await b.post("/api/v1/keys/agents", json={"name": "scout", "type": "claude"})).json()
        secrets.append(created["api_key"])
        key_auth = {"Authorization": f"Bearer {created['api_key']}"}
        await hub.client.get("/api/v1/agents/me", headers=key_auth)
        await hub.client.get(f"/api/v1/agents/me?api_key={created['api_key']}")
        await hub.client.get("/api/v1/agents/me", headers={"Authorization": "Bearer moltbook_sk_guessedkey123"})
        secrets.append("moltbook_sk_guessedkey123")
        await b.post("/auth/logout")
    finally:
        root.removeHandler(handler)
        root.removeHandler(collector)
    text = stream.getvalue() + "\n".join(repr(r.__dict__) for r in records)
    events = [getattr(r, "event", None) for r in records]
    for expected in (
        "setup.completed",
        "login.success",
        "login.failure",
        "setup.token_rejected",
        "security.api_key_created",
        "security.backup_code_used",
        "logout",
        "login.totp_replay",
    ):
        assert expected in events, expected
    for secret in secrets:
        assert secret and secret not in text, f"secret leaked into logs: {secret[:6]}..."
    backup_parts = [c.replace("-", "") for c in done["backup_codes"]]
    assert not any(p in text for p in backup_parts)

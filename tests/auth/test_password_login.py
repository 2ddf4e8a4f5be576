"""Password + TOTP / backup-code sign-in: generic failures, single-use codes, argon2id."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import select

from agent_hub.auth.models import BackupCode
from agent_hub.auth.models import Owner as OwnerRow
from tests.auth.support import FAST, PASSWORD, Browser, Owner, make_owner
from tests.conftest import HubFactory

GENERIC = {
    "success": False,
    "error": "Invalid credentials",
    "hint": "Check your username, password and code",
    "code": "INVALID_CREDENTIALS",
}


async def _attempt(b: Browser, **body: str):  # type: ignore[no-untyped-def]
    return await b.post("/auth/login/password", json=body)


async def test_login_with_password_and_totp(owner: Owner) -> None:
    b = Browser(owner.hub, ip="198.51.100.1")
    owner.clock.advance(seconds=30)
    resp = await _attempt(b, username="ALICE", password=PASSWORD, totp_code=owner.code())
    assert resp.status_code == 200, resp.text
    assert resp.json()["session"]["auth_method"] == "password_totp" and resp.json()["owner"]["username"] == "alice"
    assert (await b.get("/api/v1/agents/me")).json()["agent"]["type"] == "human"


async def test_password_alone_never_creates_a_session(owner: Owner) -> None:
    b = Browser(owner.hub, ip="198.51.100.2")
    resp = await _attempt(b, username="alice", password=PASSWORD)
    assert resp.status_code == 400 and b.cookie() is None
    resp = await _attempt(b, username="alice", password=PASSWORD, totp_code="123456", backup_code="x")
    assert resp.status_code == 400 and b.cookie() is None


async def test_failures_are_indistinguishable(owner: Owner) -> None:
    b = Browser(owner.hub, ip="198.51.100.3")
    owner.clock.advance(seconds=30)
    good = owner.code()
    bad_code = "000000" if good != "000000" else "111111"
    bodies = [
        await _attempt(b, username="nobody", password=PASSWORD, totp_code=good),
        await _attempt(b, username="alice", password=PASSWORD + "x", totp_code=good),
        await _attempt(b, username="alice", password=PASSWORD, totp_code=bad_code),
        await _attempt(b, username="alice", password=PASSWORD, backup_code="aaaa-bbbb-cccc"),
    ]
    assert [r.status_code for r in bodies] == [401] * 4
    assert all(r.content == bodies[0].content for r in bodies) and bodies[0].json() == GENERIC
    assert b.cookie() is None


async def test_totp_code_is_accepted_once(owner: Owner) -> None:
    owner.clock.advance(seconds=30)
    code = owner.code()
    first = await _attempt(Browser(owner.hub, ip="198.51.100.4"), username="alice", password=PASSWORD, totp_code=code)
    assert first.status_code == 200
    again = await _attempt(Browser(owner.hub, ip="198.51.100.5"), username="alice", password=PASSWORD, totp_code=code)
    assert again.status_code == 401 and again.json() == GENERIC


async def test_backup_code_is_single_use_and_stored_hashed(owner: Owner) -> None:
    code = owner.backup_codes[0]
    ok = await _attempt(
        Browser(owner.hub, ip="198.51.100.6"), username="alice", password=PASSWORD, backup_code=code.upper()
    )
    assert ok.status_code == 200 and ok.json()["session"]["auth_method"] == "password_backup_code"
    again = await _attempt(Browser(owner.hub, ip="198.51.100.7"), username="alice", password=PASSWORD, backup_code=code)
    assert again.status_code == 401
    async with owner.hub.app.state.sessionmaker() as db:
        rows = (await db.execute(select(BackupCode))).scalars().all()
        row = (await db.execute(select(OwnerRow))).scalar_one()
    assert len(rows) == 10 and sum(r.used_at is not None for r in rows) == 1
    stored = " ".join(r.code_hash + r.lookup for r in rows)
    assert all(c.split("-", 1)[1] not in stored for c in owner.backup_codes)
    assert all(r.code_hash.startswith("$argon2id$") for r in rows)
    assert row.password_hash and row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert row.totp_secret_enc and owner.totp_secret not in row.totp_secret_enc  # encrypted at rest
    remaining = (await owner.browser.get("/auth/backup-codes")).json()["remaining"]
    assert remaining == 9


async def test_rehash_when_parameters_change(make_hub: HubFactory) -> None:
    first = await make_hub(**FAST)
    owner = await make_owner(first)
    second = await make_hub(**{**FAST, "argon2_time_cost": 2})
    second.app.state.auth.clock = owner.clock
    owner.hub = second
    await owner.login()
    async with second.app.state.sessionmaker() as db:
        row = (await db.execute(select(OwnerRow))).scalar_one()
    assert row.password_hash and "t=2" in row.password_hash


async def test_unknown_user_and_wrong_password_take_similar_time(make_hub: HubFactory) -> None:
    """SECURITY row 2: a dummy argon2 verify runs for unknown users (medians within 20%)."""
    hub = await make_hub(
        **{
            **FAST,
            "argon2_memory_kib": 16384,
            "argon2_time_cost": 2,
            "login_ip_per_minute": 1000,
            "login_user_per_hour": 1000,
            "login_lockout_failures": 1000,
        }
    )
    await make_owner(hub)
    b = Browser(hub, ip="198.51.100.9")
    ratios = []
    for _round in range(3):  # a loaded CI machine adds noise; one clean round of 30 pairs is the proof
        timings: dict[str, list[float]] = {"nobody": [], "alice": []}
        for i in range(30):
            for user in ("nobody", "alice") if i % 2 else ("alice", "nobody"):
                t0 = time.perf_counter()
                resp = await _attempt(b, username=user, password="wrong password " + "x" * 10, totp_code="123456")
                timings[user].append(time.perf_counter() - t0)
                assert resp.status_code == 401
        unknown, known = statistics.median(timings["nobody"]), statistics.median(timings["alice"])
        ratios.append(abs(unknown - known) / known)
        if ratios[-1] < 0.2:
            break
    assert min(ratios) < 0.2, ratios

"""Login throttling and time-bound lockout, in process and in Redis (shared by two instances)."""

from __future__ import annotations

from tests.auth.support import FAST, PASSWORD, Browser, FakeClock, Owner, make_owner
from tests.conftest import Hub, HubFactory


async def _try(b: Browser, user: str = "alice", password: str = "wrong password here!!", code: str = "123456"):  # type: ignore[no-untyped-def]
    return await b.post("/auth/login/password", json={"username": user, "password": password, "totp_code": code})


def _assert_429(resp) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == 429, resp.text
    body = resp.json()
    assert body["code"] == "RATE_LIMITED" and body["success"] is False
    assert int(resp.headers["Retry-After"]) >= 1 and body["retry_after_seconds"] >= 1


async def test_sixth_attempt_per_minute_from_one_ip(owner: Owner) -> None:
    b = Browser(owner.hub, ip="198.51.100.20")
    for i in range(5):
        assert (await _try(b, user=f"user{i}")).status_code == 401
    _assert_429(await _try(b, user="someone"))
    owner.clock.advance(seconds=61)
    assert (await _try(b, user="user9")).status_code == 401


async def test_eleventh_attempt_per_hour_for_one_username(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, login_lockout_failures=100)
    owner = await make_owner(hub)
    for i in range(10):
        assert (await _try(Browser(hub, ip=f"198.51.100.{30 + i}"), user="alice")).status_code == 401
    _assert_429(await _try(Browser(hub, ip="198.51.100.99"), user="alice"))
    owner.clock.advance(minutes=61)
    assert (await owner.login(ip="198.51.100.98")).status_code == 200


async def test_lockout_after_failures_is_time_bound_and_same_for_unknown_users(owner: Owner) -> None:
    for i in range(5):
        assert (await _try(Browser(owner.hub, ip=f"203.0.113.{100 + i}"))).status_code == 401
        assert (await _try(Browser(owner.hub, ip=f"203.0.113.{110 + i}"), user="ghost")).status_code == 401
    locked = await _try(Browser(owner.hub, ip="203.0.113.120"), password=PASSWORD, code=owner.code())
    ghost = await _try(Browser(owner.hub, ip="203.0.113.121"), user="ghost")
    _assert_429(locked)
    _assert_429(ghost)
    assert locked.json()["error"] == ghost.json()["error"]
    # the passkey path stays open while the password path is locked
    challenge = await Browser(owner.hub, ip="203.0.113.122").post("/auth/login/passkey/challenge")
    assert challenge.status_code == 200 and challenge.json()["publicKey"]["userVerification"] == "required"
    owner.clock.advance(minutes=16)
    assert (await owner.login(ip="203.0.113.123")).status_code == 200


async def test_totp_guessing_is_limited(owner: Owner) -> None:
    b = Browser(owner.hub, ip="198.51.100.60")
    for code in ("000001", "000002", "000003", "000004", "000005"):
        assert (await _try(b, password=PASSWORD, code=code)).status_code == 401
    _assert_429(await _try(b, password=PASSWORD, code="000006"))


async def test_two_instances_share_limits_through_redis(make_hub: HubFactory, redis_url: str) -> None:
    import hashlib
    import random
    import uuid

    # Unique names and addresses: other test runs may share this Redis database.
    user = "own_" + uuid.uuid4().hex[:8]
    net = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}"
    clock = FakeClock()
    a = await make_hub(**FAST, redis_url=redis_url)
    b = await make_hub(**FAST, redis_url=redis_url)
    b.app.state.auth.clock = clock
    owner = await make_owner(a, username=user, clock=clock, ip=f"{net}.200")
    hubs: list[Hub] = [a, b]
    for i in range(5):
        resp = await _try(Browser(hubs[i % 2], ip=f"{net}.{i + 1}"), user=user)
        assert resp.status_code == 401
    _assert_429(await _try(Browser(b, ip=f"{net}.10"), user=user, password=PASSWORD, code=owner.code()))
    _assert_429(await _try(Browser(a, ip=f"{net}.11"), user=user, password=PASSWORD, code=owner.code()))
    # a passkey challenge issued by one instance is stored once, in Redis, for any instance to take
    browser_a = Browser(a, ip=f"{net}.12")
    assert (await browser_a.post("/auth/login/passkey/challenge")).status_code == 200
    preauth = browser_a.cookie("agent_hub_preauth") or ""
    key = "agent_hub:auth:st:login:" + hashlib.sha256(preauth.encode()).hexdigest()
    redis = a.app.state.redis
    assert await redis.exists(key) == 1
    assert await b.app.state.auth.store.pop(key.removeprefix("agent_hub:auth:st:")) is not None
    assert await redis.exists(key) == 0
    clock.advance(minutes=16)
    assert (await owner.login(ip=f"{net}.13")).status_code == 200

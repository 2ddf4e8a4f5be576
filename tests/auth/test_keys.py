"""Owner agent management (/api/v1/keys) and claims (/api/v1/claims)."""

from __future__ import annotations

from sqlalchemy import select

from agent_hub.agents.models import ApiKey
from tests.auth.support import FAST, Browser, Owner, make_owner
from tests.conftest import HubFactory


async def _new_agent(owner: Owner, name: str = "scout") -> dict:
    resp = await owner.browser.post("/api/v1/keys/agents", json={"name": name, "type": "claude"})
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_create_list_revoke_rotate_disable(owner: Owner) -> None:
    created = await _new_agent(owner)
    key = created["api_key"]
    assert key.startswith("moltbook_sk_") and created["agent"]["status"] == "active"
    auth = {"Authorization": f"Bearer {key}"}
    me = await owner.hub.client.get("/api/v1/agents/me", headers=auth)
    assert me.status_code == 200 and me.json()["agent"]["type"] == "claude"
    listing = await owner.browser.get("/api/v1/keys")
    assert listing.status_code == 200
    text = listing.text
    assert key not in text and "key_hash" not in text
    agent = next(a for a in listing.json()["agents"] if a["name"] == "scout")
    k = agent["keys"][0]
    assert k["prefix"] == key[:16] and set(k) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}
    # a second key, then rotate it
    extra = await owner.browser.post("/api/v1/keys", json={"agent_id": agent["id"], "name": "laptop"})
    assert extra.status_code == 201
    rotated = await owner.browser.post(f"/api/v1/keys/{extra.json()['key']['id']}/rotate")
    assert rotated.status_code == 201
    assert (
        await owner.hub.client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {extra.json()['api_key']}"})
    ).status_code == 401
    new_auth = {"Authorization": f"Bearer {rotated.json()['api_key']}"}
    assert (await owner.hub.client.get("/api/v1/agents/me", headers=new_auth)).status_code == 200
    # revoke the first key: next request 401
    assert (await owner.browser.delete(f"/api/v1/keys/{k['id']}")).status_code == 200
    assert (await owner.hub.client.get("/api/v1/agents/me", headers=auth)).status_code == 401
    # disable the agent: every key 401 at once
    assert (await owner.browser.post(f"/api/v1/keys/agents/{agent['id']}/disable")).status_code == 200
    assert (await owner.hub.client.get("/api/v1/agents/me", headers=new_auth)).status_code == 401
    assert (await owner.browser.post(f"/api/v1/keys/agents/{agent['id']}/enable")).status_code == 200
    assert (await owner.hub.client.get("/api/v1/agents/me", headers=new_auth)).status_code == 200
    async with owner.hub.app.state.sessionmaker() as db:
        hashes = [r.key_hash for r in (await db.execute(select(ApiKey))).scalars()]
    assert all(key not in h and len(h) == 64 for h in hashes)
    kinds = {e["kind"] for e in (await owner.browser.get("/auth/events")).json()["events"]}
    assert {"agent_created", "api_key_created", "api_key_rotated", "api_key_revoked", "agent_disabled"} <= kinds


async def test_keys_endpoints_are_session_only(owner: Owner) -> None:
    created = await _new_agent(owner)
    auth = {"Authorization": f"Bearer {created['api_key']}"}
    for method, path in [("GET", "/api/v1/keys"), ("POST", "/api/v1/keys/agents"), ("GET", "/api/v1/claims")]:
        body = {"name": "x"} if method == "POST" else None
        resp = await owner.hub.client.request(method, path, headers=auth, json=body)
        assert resp.status_code == 403 and resp.json()["code"] == "SESSION_REQUIRED", path
        assert (await owner.hub.client.request(method, path)).status_code == 401


async def test_owner_cannot_disable_itself_or_touch_its_own_agent(owner: Owner) -> None:
    me = (await owner.browser.get("/api/v1/agents/me")).json()["agent"]
    resp = await owner.browser.post(f"/api/v1/keys/agents/{me['id']}/disable")
    assert resp.status_code == 400
    resp = await owner.browser.post("/api/v1/keys", json={"agent_id": me["id"], "name": "sneaky"})
    assert resp.status_code == 404


async def test_claim_flow_approve_and_reject(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, registration="claim")
    owner = await make_owner(hub)
    pending = await hub.register("waiting_one")
    other = await hub.register("waiting_two")
    assert (await pending.get("/api/v1/agents/status")).json()["status"] == "pending_claim"
    token = pending.registration["agent"]["claim_url"].rsplit("/", 1)[1]
    listed = (await owner.browser.get("/api/v1/claims")).json()["agents"]
    assert [a["name"] for a in listed] == ["waiting_one", "waiting_two"]
    shown = await owner.browser.get(f"/api/v1/claims/{token}")
    assert shown.status_code == 200 and shown.json()["agent"]["name"] == "waiting_one"
    assert (await owner.browser.post(f"/api/v1/claims/{token}/approve")).status_code == 200
    status = (await pending.get("/api/v1/agents/status")).json()
    assert status["status"] == "claimed"
    other_token = other.registration["agent"]["claim_url"].rsplit("/", 1)[1]
    assert (await owner.browser.post(f"/api/v1/claims/{other_token}/reject")).status_code == 200
    assert (await other.get("/api/v1/agents/status")).status_code == 401
    assert (await owner.browser.get(f"/api/v1/claims/{other_token}")).status_code == 404
    assert (await owner.browser.get("/api/v1/claims")).json()["agents"] == []
    assert (await owner.browser.get("/api/v1/claims/moltbook_claim_nope")).status_code == 404


async def test_extra_fields_are_refused(owner: Owner) -> None:
    resp = await owner.browser.post("/api/v1/keys/agents", json={"name": "x1", "type": "claude", "owner_id": "me"})
    assert resp.status_code == 400 and resp.json()["code"] == "VALIDATION_ERROR"
    resp = await owner.browser.post("/api/v1/keys/agents", json={"name": "boss", "type": "human"})
    assert resp.status_code == 400
    resp = await Browser(owner.hub).post(
        "/auth/login/password", json={"username": "a", "password": "b", "totp_code": "1", "is_admin": True}
    )
    assert resp.status_code == 400


async def test_owner_sees_webhook_health_without_the_secret(make_hub: HubFactory) -> None:
    from tests.auth.conftest import FAST
    from tests.auth.support import make_owner

    hub = await make_hub(
        **FAST, allow_http_webhooks=True, webhook_allowed_cidrs=["127.0.0.1/32"], webhook_allowed_ports=[]
    )
    owner = await make_owner(hub)
    created = await _new_agent(owner, "hooked")
    auth = {"Authorization": f"Bearer {created['api_key']}"}
    put = await hub.client.put("/api/v1/agents/me/webhook", json={"url": "http://127.0.0.1:9/hook"}, headers=auth)
    assert put.status_code in (200, 201), put.text
    secret = put.json().get("secret") or put.json().get("webhook", {}).get("secret")
    listing = (await owner.browser.get("/api/v1/keys")).json()
    hooked = next(a for a in listing["agents"] if a["name"] == "hooked")
    assert hooked["webhook"]["url"] == "http://127.0.0.1:9/hook"
    assert hooked["webhook"]["healthy"] is True and hooked["webhook"]["consecutive_failures"] == 0
    assert "karma" in hooked
    assert secret and secret not in str(listing)
    plain = next(a for a in listing["agents"] if a["name"] != "hooked") if len(listing["agents"]) > 1 else None
    assert plain is None or plain["webhook"] is None

"""Webhooks: signed durable deliveries, retries with backoff, disabling after the failure
limit, the API's shapes, and SSRF refusals (SECURITY row 38)."""

from __future__ import annotations

import asyncio
import ipaddress

import orjson
import pytest

from agent_hub.webhooks.signing import verify
from agent_hub.webhooks.ssrf import is_allowed_ip
from tests.conftest import HubFactory
from tests.webhooks.receiver import Receiver

LOCAL = {
    "allow_http_webhooks": True,
    "webhook_allowed_cidrs": ["127.0.0.1/32"],
    "webhook_allowed_ports": [],
    "webhook_backoff_base_seconds": 0.1,
    "webhook_poll_seconds": 0.1,
}


async def test_signed_delivery_with_retries(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL)
    alice, bob = await hub.register("alice"), await hub.register("bob")
    with Receiver(statuses=[500, 500]) as receiver:
        r = await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        assert r.status_code == 200, r.text
        secret = r.json()["webhook"]["secret"]
        assert secret.startswith("whsec_")
        assert (await bob.post("/api/v1/agents/alice/follow")).status_code == 200
        requests = await receiver.wait_for(3)
        await asyncio.sleep(0.2)
        assert len(receiver.requests) == 3  # delivered on the third attempt, then no more
        bodies = {req["body"] for req in requests}
        assert len(bodies) == 1  # identical bytes on every retry
        for i, req in enumerate(requests, start=1):
            assert verify(secret, req["body"], req["headers"]["x-agenthub-signature"])
            assert not verify("whsec_wrong", req["body"], req["headers"]["x-agenthub-signature"])
            assert req["headers"]["x-agenthub-attempt"] == str(i)
            assert req["headers"]["x-agenthub-event"] == "notification"
        payload = orjson.loads(requests[0]["body"])
        assert payload["notification"]["type"] == "follow" and payload["notification"]["from"]["name"] == "bob"
        assert payload["unread_count"] == 1 and payload["last_id"] == payload["notification"]["id"]
        # Tampering or replaying an old signature fails verification.
        t_header = requests[0]["headers"]["x-agenthub-signature"]
        assert not verify(secret, requests[0]["body"] + b" ", t_header)
        ts = int(t_header.split(",")[0][2:])
        assert not verify(secret, requests[0]["body"], t_header, now=ts + 301)
        for _ in range(50):
            hook = (await alice.get("/api/v1/agents/me/webhook")).json()["webhook"]
            if hook["last_success_at"]:
                break
            await asyncio.sleep(0.05)
        assert hook["enabled"] is True and hook["consecutive_failures"] == 0 and hook["last_success_at"]
        assert "secret" not in hook and hook["pending_deliveries"] == 0


async def test_disabled_after_failure_limit(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL, webhook_failure_limit=3)
    alice, bob = await hub.register("alice"), await hub.register("bob")
    with Receiver(default=500) as receiver:
        await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        await bob.post("/api/v1/agents/alice/follow")
        await receiver.wait_for(3)
        for _ in range(100):
            hook = (await alice.get("/api/v1/agents/me/webhook")).json()["webhook"]
            if not hook["enabled"]:
                break
            await asyncio.sleep(0.05)
        assert hook["enabled"] is False and hook["status"] == "disabled"
        assert "3 consecutive" in hook["disabled_reason"] and hook["last_error"] == "HTTP 500"
        await asyncio.sleep(0.4)
        assert len(receiver.requests) == 3
        items = (await alice.get("/api/v1/inbox")).json()["items"]
        assert items[0]["type"] == "webhook_disabled"
        # New notifications queue nothing while disabled; PUT re-enables with a new secret.
        carol = await hub.register("carol")
        await carol.post("/api/v1/agents/alice/follow")
        await asyncio.sleep(0.3)
        assert len(receiver.requests) == 3
        r = await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        assert r.json()["webhook"]["enabled"] is True


async def test_api_shapes_test_ping_and_delete(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL)
    alice = await hub.register("alice")
    assert (await alice.get("/api/v1/agents/me/webhook")).status_code == 404
    with Receiver() as receiver:
        r = await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        secret = r.json()["webhook"]["secret"]
        r = await alice.post("/api/v1/agents/me/webhook/test")
        assert r.status_code == 200 and r.json()["delivered"] is True and r.json()["status_code"] == 200
        req = receiver.requests[-1]
        assert orjson.loads(req["body"])["event"] == "ping"
        assert verify(secret, req["body"], req["headers"]["x-agenthub-signature"])
        assert req["headers"]["host"] == f"127.0.0.1:{receiver.port}"
    assert (await alice.delete("/api/v1/agents/me/webhook")).json()["success"] is True
    assert (await alice.get("/api/v1/agents/me/webhook")).status_code == 404
    assert (await hub.client.get("/api/v1/agents/me/webhook")).status_code == 401


async def test_redirects_are_not_followed(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL)
    alice = await hub.register("alice")
    with Receiver(statuses=[302], headers={}) as receiver:
        receiver.headers = {"Location": receiver.url("/internal")}
        await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        r = (await alice.post("/api/v1/agents/me/webhook/test")).json()
        assert r["delivered"] is False and r["status_code"] == 302 and "redirect" in r["error"]
        await asyncio.sleep(0.1)
        assert [req["path"] for req in receiver.requests] == ["/hook"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # plain http is off by default
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.5/hook",
        "https://100.64.0.1/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
        "https://example.com:22/hook",  # port not on the allow-list
    ],
)
async def test_ssrf_targets_are_refused(make_hub: HubFactory, url: str) -> None:
    hub = await make_hub()
    alice = await hub.register("alice")
    r = await alice.request("PUT", "/api/v1/agents/me/webhook", json={"url": url})
    assert r.status_code == 400, (url, r.text)
    assert r.json()["success"] is False


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("64:ff9b::a00:1", False),
        ("2002:7f00:1::", False),
        ("224.0.0.1", False),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_ip_filter(ip: str, allowed: bool) -> None:
    assert is_allowed_ip(ipaddress.ip_address(ip)) is allowed


def test_allowed_cidrs_override() -> None:
    nets = [ipaddress.ip_network("127.0.0.1/32")]
    assert is_allowed_ip(ipaddress.ip_address("127.0.0.1"), nets)
    assert not is_allowed_ip(ipaddress.ip_address("127.0.0.2"), nets)

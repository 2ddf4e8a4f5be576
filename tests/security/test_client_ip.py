"""SECURITY row 32: forwarding headers are believed only from trusted proxies (property test),
and login throttling keys on that trusted client IP."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_hub.http.client_ip import client_ip, parse_networks
from tests.auth.support import FAST, Browser, make_owner
from tests.conftest import HubFactory

TRUSTED = parse_networks(["10.0.0.0/8", "fd00::/8"])
ips = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
header_values = st.one_of(ips, st.text(max_size=40), st.lists(ips, max_size=5).map(", ".join))


def _norm(a: str) -> str:
    addr = ipaddress.ip_address(a)
    mapped = getattr(addr, "ipv4_mapped", None)
    return str(mapped or addr)


untrusted_peers = ips.filter(lambda a: not any(ipaddress.ip_address(_norm(a)) in n for n in TRUSTED))


@settings(max_examples=300, deadline=None)
@given(peer=untrusted_peers, xff=header_values, cf=header_values, xri=header_values)
def test_untrusted_peer_cannot_spoof_its_ip(peer: str, xff: str, cf: str, xri: str) -> None:
    headers = {"x-forwarded-for": xff, "cf-connecting-ip": cf, "x-real-ip": xri, "forwarded": f"for={xff}"}
    assert client_ip(peer, headers, TRUSTED) == _norm(peer)


@settings(max_examples=200, deadline=None)
@given(
    client=untrusted_peers,
    spoof=st.lists(ips, max_size=4),
    proxies=st.lists(
        st.integers(1, 2**24 - 2).map(lambda n: str(ipaddress.IPv4Address(0x0A000000 + n))), min_size=1, max_size=3
    ),
)
def test_trusted_chain_yields_the_first_untrusted_hop_from_the_right(
    client: str, spoof: list[str], proxies: list[str]
) -> None:
    """Whatever the client prepends to X-Forwarded-For, the answer is the address the first
    trusted proxy saw (the right-most untrusted hop)."""
    xff = ", ".join([*spoof, client, *proxies[:-1]])
    assert client_ip(proxies[-1], {"x-forwarded-for": xff}, TRUSTED) == _norm(client)


async def test_login_throttle_ignores_spoofed_forwarding_headers(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, trusted_proxies=["10.0.0.0/8"])
    await make_owner(hub)
    b = Browser(hub, ip="198.51.100.77")
    for i in range(6):
        resp = await b.post(
            "/auth/login/password",
            headers={"X-Forwarded-For": f"192.0.2.{i}", "CF-Connecting-IP": f"192.0.2.{i}"},
            json={"username": f"u{i}", "password": "x" * 16, "totp_code": "123456"},
        )
    assert resp.status_code == 429

"""The client's IP address, trusting forwarding headers only from configured proxies.

`CF-Connecting-IP` / `X-Forwarded-For` are believed only when the TCP peer is inside
`AGENT_HUB_TRUSTED_PROXIES`; `X-Forwarded-For` is walked right to left past trusted hops,
so a client cannot spoof its address by sending the header itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return addr.ipv4_mapped
    return addr


def _trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: Sequence[Network]) -> bool:
    return addr is not None and any(addr in net for net in trusted)


def client_ip(peer: str | None, headers: dict[str, str], trusted: Sequence[Network]) -> str:
    """Return the client address for a request from `peer` with lower-cased `headers`."""
    peer_addr = _ip(peer) if peer else None
    if peer_addr is None:
        return peer or "unknown"
    if not _trusted(peer_addr, trusted):
        return str(peer_addr)
    cf = headers.get("cf-connecting-ip")
    if cf:
        cf_addr = _ip(cf)
        if cf_addr is not None:
            return str(cf_addr)
    xff = headers.get("x-forwarded-for")
    if xff:
        hops = [h for h in (part.strip() for part in xff.split(",")) if h]
        for hop in reversed(hops):
            addr = _ip(hop)
            if addr is None:
                break  # garbage: stop trusting the chain here
            if not _trusted(addr, trusted):
                return str(addr)
        # Every hop was a trusted proxy: the left-most one is the best we know.
        first = _ip(hops[0]) if hops else None
        if first is not None:
            return str(first)
    return str(peer_addr)

"""SSRF guard for outgoing webhook calls (security requirement 38, docs/security-checklist.md).

`vet_url()` checks scheme and port, resolves the host and refuses it unless **every** address
is global (or inside an operator-allowed CIDR); it returns the address to connect to, so the
connection goes to the vetted IP (pinning: a DNS answer that changes between check and use —
DNS rebinding — cannot redirect the request). Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from agent_hub.config import Settings

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why (safe to show to the agent)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (Host header, SNI, certificate check)
    port: int
    ip: str  # the vetted address we connect to
    path: str  # path + query


def embedded_ipv4(addr: IP) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address."""
    if isinstance(addr, ipaddress.IPv4Address):
        return None
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    return None


def is_allowed_ip(addr: IP, allowed: list[Network] | tuple[Network, ...] = ()) -> bool:
    if any(addr in net for net in allowed if net.version == addr.version):
        return True
    inner = embedded_ipv4(addr)
    if inner is not None:
        return is_allowed_ip(inner, allowed)
    if not addr.is_global or addr.is_multicast or addr.is_reserved or addr.is_unspecified:
        return False
    if isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return True


def allowed_networks(settings: Settings) -> list[Network]:
    return [ipaddress.ip_network(c, strict=False) for c in settings.webhook_allowed_cidrs]


def check_shape(url: str, settings: Settings) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of an acceptable URL (no network access)."""
    if len(url) > 2048:
        raise UnsafeUrl("Webhook URL is too long (max 2048 characters)")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("Webhook URL is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UnsafeUrl("Webhook URL must use https")
    if scheme == "http" and not settings.allow_http_webhooks:
        raise UnsafeUrl("Webhook URL must use https (http is disabled on this hub)")
    if parts.username or parts.password:
        raise UnsafeUrl("Webhook URL must not contain credentials")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeUrl("Webhook URL has no host")
    port = port or (443 if scheme == "https" else 80)
    if settings.webhook_allowed_ports and port not in settings.webhook_allowed_ports:
        raise UnsafeUrl(
            f"Webhook port {port} is not allowed",
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


async def resolve(host: str, port: int) -> list[IP]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP), timeout=5
        )
    except (OSError, TimeoutError) as exc:
        raise UnsafeUrl(f"Webhook host {host} does not resolve") from exc
    out: list[IP] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if addr not in out:
            out.append(addr)
    if not out:
        raise UnsafeUrl(f"Webhook host {host} does not resolve")
    return out


async def vet_url(url: str, settings: Settings) -> Target:
    scheme, host, port, path = check_shape(url, settings)
    addresses = await resolve(host, port)
    allowed = allowed_networks(settings)
    for addr in addresses:
        if not is_allowed_ip(addr, allowed):
            raise UnsafeUrl("Webhook URL points to a private, loopback or otherwise non-public address")
    return Target(scheme, host, port, str(addresses[0]), path)

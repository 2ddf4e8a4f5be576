"""One pinned, non-redirecting, size-capped HTTP POST to a vetted webhook target."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from agent_hub import security_events
from agent_hub.config import Settings
from agent_hub.webhooks.ssrf import Target, UnsafeUrl, vet_url


@dataclass
class Result:
    ok: bool
    status: int | None
    error: str | None
    seconds: float


def _origin(target: Target) -> str:
    host = f"[{target.ip}]" if ":" in target.ip else target.ip
    return f"{target.scheme}://{host}:{target.port}"


async def post(url: str, body: bytes, headers: dict[str, str], settings: Settings) -> Result:
    """Resolve and vet `url` now, then connect to exactly the vetted address. TLS still checks
    the certificate against the URL's host name (SNI + verification use it, not the IP).

    The whole attempt (DNS, connect, TLS, headers and the capped body) has one deadline,
    `AGENT_HUB_WEBHOOK_TIMEOUT_SECONDS`: httpx's timeouts restart with every byte, so a
    receiver trickling one byte at a time could otherwise hold an attempt for ever."""
    start = time.perf_counter()
    deadline = settings.webhook_timeout_seconds
    try:
        async with asyncio.timeout(deadline):
            return await _post(url, body, headers, settings, start)
    except TimeoutError:
        return Result(False, None, f"timed out after {deadline:g} s", time.perf_counter() - start)


async def _post(url: str, body: bytes, headers: dict[str, str], settings: Settings, start: float) -> Result:
    try:
        target = await vet_url(url, settings)
    except UnsafeUrl as exc:
        security_events.record("webhook_ssrf_refused", reason=str(exc), when="delivery")
        return Result(False, None, str(exc), time.perf_counter() - start)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host:  # an IPv6 literal host
        host_header = f"[{target.host}]" + ("" if target.port == default_port else f":{target.port}")
    timeout = httpx.Timeout(settings.webhook_timeout_seconds, connect=min(3.0, settings.webhook_timeout_seconds))
    # A fresh client per call: no pooled connection is ever shared between host names.
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        request = client.build_request(
            "POST",
            _origin(target) + target.path,
            content=body,
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": "application/json",
                "User-Agent": "AgentHub-Webhooks/1",
            },
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            return Result(False, None, f"{type(exc).__name__}: connection failed", time.perf_counter() - start)
        try:
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > settings.webhook_max_response_bytes:
                    break  # we never need the body; stop reading a large one
        except httpx.HTTPError:
            pass
        finally:
            await response.aclose()
    seconds = time.perf_counter() - start
    if 200 <= response.status_code < 300:
        return Result(True, response.status_code, None, seconds)
    if 300 <= response.status_code < 400:
        return Result(False, response.status_code, f"HTTP {response.status_code}: redirects are not followed", seconds)
    return Result(False, response.status_code, f"HTTP {response.status_code}", seconds)

"""Sending one API request across ranked base URLs.

Failover policy:

- The first request health-checks the URLs in rank order (``GET /health``) and uses the first
  healthy one. A URL that refuses connections, times out or answers 502/503/504 is marked
  failed (cool-down) and the next one is tried. 4xx answers never cause a failover.
- Idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) are retried on the next URL.
  Non-idempotent ones only when the request certainly did not reach the server (the connection
  was never made) or when it carries an ``Idempotency-Key`` header.
- 429 is waited out per ``Retry-After`` (at most ``max_rate_limit_wait`` seconds per wait and
  ``max_rate_limit_retries`` waits), then retried on the same URL.
- A keyed request answered ``409 idempotency_in_progress`` (an earlier attempt with the same key
  is still running, or died and its lease has not run out yet) is retried per ``Retry-After``
  for up to ``max_rate_limit_wait`` seconds in total: the server then replays the earlier result
  or runs the request, never both.
- While not on the best-ranked URL, better-ranked URLs are re-probed every
  ``reprobe_interval`` seconds and the client moves back as soon as one is healthy.
"""

# ASYNC-ONLY: _sync_transport.py is generated from this file by client/scripts/unasync.py: edit this one.
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from ._exceptions import AllEndpointsFailed, TransportError, retry_after_seconds
from ._pool import EndpointPool

log = logging.getLogger("agent_hub_client")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
FAILOVER_STATUSES = frozenset({502, 503, 504})
# Raised before a single byte of the request left this process.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class AsyncTransport:
    """Owns the HTTP connection pool and the endpoint pool; sends requests with failover."""

    def __init__(
        self,
        pool: EndpointPool,
        *,
        headers: Mapping[str, str],
        timeout: float,
        connect_timeout: float,
        health_timeout: float,
        health_path: str,
        retry_rounds: int,
        retry_backoff: float,
        max_rate_limit_wait: float,
        max_rate_limit_retries: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.pool = pool
        self.health_timeout = health_timeout
        self.health_path = health_path
        self.retry_rounds = retry_rounds
        self.retry_backoff = retry_backoff
        self.max_rate_limit_wait = max_rate_limit_wait
        self.max_rate_limit_retries = max_rate_limit_retries
        self.http = httpx.AsyncClient(
            headers=dict(headers),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,  # redirects drop the Authorization header; the API never redirects
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def base_url(self) -> str | None:
        """The base URL in use (``None`` before the first request or after all failed)."""
        return None if self.pool.active is None else self.pool.urls[self.pool.active]

    async def probe(self, index: int) -> bool:
        """Health check: any answer but 5xx means the server is up."""
        url = self.pool.urls[index] + self.health_path
        try:
            response = await self.http.get(url, timeout=self.health_timeout)
        except httpx.HTTPError as exc:
            log.info("health check of %s failed: %s", self.pool.urls[index], type(exc).__name__)
            return False
        healthy = response.status_code < 500
        if not healthy:
            log.info("health check of %s answered %s", self.pool.urls[index], response.status_code)
        return healthy

    async def select(self, exclude: set[int]) -> int | None:
        """The URL to send to: the active one (moving back to a better one when due), else the
        first healthy candidate."""
        pool = self.pool
        for index in pool.reprobe_candidates():
            if index in exclude:
                continue
            if await self.probe(index):
                log.info("moving back to %s", pool.urls[index])
                pool.activate(index)
                break
            pool.mark_failed(index)
        if pool.active is not None and pool.active not in exclude:
            return pool.active
        for index in pool.order(exclude):
            if await self.probe(index):
                if pool.active != index:
                    log.info("using %s", pool.urls[index])
                pool.activate(index)
                return index
            pool.mark_failed(index)
            exclude.add(index)
        return None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
    ) -> httpx.Response:
        """Send with failover. ``retry_safe`` overrides the method-based rule for requests whose
        effect is the same however often they run (marking read, following)."""
        method = method.upper()
        if retry_safe is None:
            keyed = any(k.lower() == "idempotency-key" for k in (headers or {}))
            retry_safe = method in IDEMPOTENT_METHODS or keyed
        errors: list[tuple[str, str]] = []
        maybe_sent = False
        rate_waits = 0
        busy_waited = 0.0
        # When every URL failed but some answered 502/503/504, that answer is returned (the
        # caller raises ServerError with its status and body) rather than AllEndpointsFailed.
        last_gateway: httpx.Response | None = None
        for round_no in range(self.retry_rounds + 1):
            if round_no:
                await asyncio.sleep(self.retry_backoff * 2 ** (round_no - 1))
            exclude: set[int] = set()
            while True:
                index = await self.select(exclude)
                if index is None:
                    if not errors:
                        errors.extend((u, "health check failed") for u in self.pool.urls)
                    break
                base = self.pool.urls[index]
                try:
                    response = await self.http.request(
                        method, base + path, params=params, json=json, data=data, files=files, headers=headers
                    )
                except httpx.TransportError as exc:
                    self.pool.mark_failed(index)
                    exclude.add(index)
                    sent = not isinstance(exc, NOT_SENT_ERRORS)
                    errors.append((base, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__))
                    log.warning("%s %s via %s failed: %s", method, path, base, type(exc).__name__)
                    if sent and not retry_safe:
                        raise TransportError(
                            f"{method} {path} via {base} failed after the request may have been sent "
                            f"({type(exc).__name__}); not retried because it is not idempotent",
                            url=base + path,
                            sent=True,
                        ) from exc
                    maybe_sent = maybe_sent or sent
                    continue
                if response.status_code in FAILOVER_STATUSES:
                    self.pool.mark_failed(index)
                    exclude.add(index)
                    errors.append((base, f"HTTP {response.status_code}"))
                    if not retry_safe:
                        return response
                    await response.aclose()
                    last_gateway = response
                    continue
                if response.status_code == 429 and rate_waits < self.max_rate_limit_retries:
                    wait = _retry_after(response)
                    if wait is not None and wait <= self.max_rate_limit_wait:
                        rate_waits += 1
                        log.info("rate limited on %s %s; waiting %.2fs", method, path, wait)
                        await asyncio.sleep(wait)
                        exclude.discard(index)
                        continue
                if response.status_code == 409 and retry_safe and _in_progress(response):
                    wait = _retry_after(response) or 1.0
                    if busy_waited + wait <= self.max_rate_limit_wait:
                        busy_waited += wait
                        log.info("%s %s still in progress on the server; retrying in %.2fs", method, path, wait)
                        await asyncio.sleep(wait)
                        exclude.discard(index)
                        continue
                self.pool.mark_ok(index)
                return response
        if last_gateway is not None:
            return last_gateway
        raise AllEndpointsFailed(errors, sent=maybe_sent)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        body = response.json()
    except ValueError:
        body = None
    return retry_after_seconds(response, body if isinstance(body, dict) else None)


def _in_progress(response: httpx.Response) -> bool:
    """409 because a request with the same Idempotency-Key is still running (ADR 0004)."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == "idempotency_in_progress"

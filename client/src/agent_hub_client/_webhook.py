"""Webhook signatures and a small embedded receiver for the agent daemon.

Agent Hub signs every webhook delivery with the secret it returned when the webhook was set
(``PUT /api/v1/agents/me/webhook``), as documented in the server's ``docs/webhooks.md``:
``X-AgentHub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>``.
Deliveries older than ``tolerance`` seconds are refused (replay protection).

The receiver is a minimal HTTP/1.1 server on asyncio (no web framework dependency). It only
verifies and acknowledges; the payload is a *signal* — the daemon then reads the inbox, which is
the source of truth, so a forged-but-valid replay or a duplicate delivery cannot cause a
notification to be handled twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

__all__ = ["WebhookReceiver", "sign_webhook", "verify_webhook", "SIGNATURE_HEADER"]

log = logging.getLogger("agent_hub_client.webhook")

SIGNATURE_HEADER = "X-AgentHub-Signature"
MAX_BODY = 1024 * 1024


def sign_webhook(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The signature header Agent Hub sends with a delivery of ``body`` (useful in tests)."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"t={ts},v1={digest}"}


def verify_webhook(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when the delivery is signed with ``secret`` and its timestamp is recent enough."""
    header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(name, []).append(value)
    try:
        ts = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    # Several v1 signatures may be sent while a secret rotates.
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))


OnEvent = Callable[[dict[str, Any]], Awaitable[None] | None]


class WebhookReceiver:
    """Accepts signed POSTs on ``path`` and calls ``on_event`` with the decoded JSON payload.

    Answers 204 for a valid delivery, 401 for a bad signature, 404/405 for other paths/methods.
    """

    def __init__(
        self,
        secret: str,
        on_event: OnEvent,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/agent-hub/webhook",
        tolerance: float = 300.0,
    ) -> None:
        self.secret = secret
        self.on_event = on_event
        self.host = host
        self.port = port
        self.path = path
        self.tolerance = tolerance
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """The local URL (after ``start()``, with the real port when ``port=0``)."""
        return f"http://{self.host}:{self.port}{self.path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> WebhookReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await asyncio.wait_for(self._serve_one(reader), timeout=10)
        except (TimeoutError, asyncio.IncompleteReadError, ValueError, ConnectionError):
            status = 400
        reason = {
            204: "No Content",
            400: "Bad Request",
            401: "Unauthorized",
            404: "Not Found",
            405: "Method Not Allowed",
            413: "Payload Too Large",
        }.get(status, "Error")
        try:
            writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        if target.split("?", 1)[0] != self.path:
            return 404
        if method != "POST":
            return 405
        length = int(headers.get("content-length", "0"))
        if length > MAX_BODY:
            return 413
        body = await reader.readexactly(length)
        if not verify_webhook(self.secret, body, headers, tolerance=self.tolerance):
            log.warning("webhook delivery with a bad signature refused")
            return 401
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 400
        result = self.on_event(payload if isinstance(payload, dict) else {"data": payload})
        if result is not None:
            await result
        return 204

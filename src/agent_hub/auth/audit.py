"""Audit trail: one structured log line (logger `agent_hub.audit`) per auth decision, and an
owner-visible `auth_events` row for factor, key and session changes. Never a secret: ids,
prefixes, names, IPs and outcomes only."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import metrics
from agent_hub.auth.models import SecurityEvent

log = logging.getLogger("agent_hub.audit")
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def _client(request: Request) -> tuple[str | None, str | None]:
    ip = getattr(request.state, "client_ip", None)
    ua = request.headers.get("user-agent")
    return ip, (ua[:256] if ua else None)


def audit(request: Request | None, event: str, **fields: Any) -> None:
    extra: dict[str, Any] = {"event": event}
    extra.update({(k + "_" if k in _RESERVED else k): v for k, v in fields.items()})
    if request is not None:
        extra["ip"], _ = _client(request)
        extra["request_id"] = getattr(request.state, "request_id", None)
    log.info(event, extra=extra)


def attempt(request: Request, method: str, success: bool, **fields: Any) -> None:
    metrics.AUTH_ATTEMPTS.labels(method, "true" if success else "false").inc()
    audit(request, "login.success" if success else "login.failure", method=method, success=success, **fields)


async def record(db: AsyncSession, request: Request | None, owner_id: str | None, kind: str, **detail: Any) -> None:
    ip, ua = _client(request) if request is not None else (None, None)
    db.add(SecurityEvent(owner_id=owner_id, kind=kind, ip=ip, user_agent=ua, detail=detail or None))
    await db.flush()
    audit(request, "security." + kind, owner_id=owner_id, **detail)

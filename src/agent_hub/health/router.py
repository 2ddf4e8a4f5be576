"""`/health` (liveness: no dependencies), `/ready` (database, Valkey when configured),
`/api/v1/health` (Moltbook shape) and `/metrics`."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from agent_hub import metrics
from agent_hub.http.responses import JsonResponse

router = APIRouter(tags=["health"])
api_router = APIRouter(tags=["health"])


@router.get("/health", operation_id="liveness", include_in_schema=False)
async def health() -> dict:
    return {"status": "ok"}


@router.get("/ready", operation_id="readiness", include_in_schema=False)
async def ready(request: Request) -> JsonResponse:
    checks: dict[str, str] = {}
    ok = True
    try:
        async with request.app.state.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=3)
        checks["database"] = "ok"
        metrics.DEPENDENCY_UP.labels("database").set(1)
    except Exception as exc:  # any failure means not ready
        checks["database"] = f"error: {type(exc).__name__}"
        metrics.DEPENDENCY_UP.labels("database").set(0)
        ok = False
    redis = request.app.state.redis
    if redis is not None:
        try:
            await asyncio.wait_for(redis.ping(), timeout=3)
            checks["valkey"] = "ok"
            metrics.DEPENDENCY_UP.labels("valkey").set(1)
        except Exception as exc:
            checks["valkey"] = f"error: {type(exc).__name__}"
            metrics.DEPENDENCY_UP.labels("valkey").set(0)
            ok = False
    return JsonResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request) -> Response:
    allowed = request.app.state.metrics_networks
    ip = request.state.client_ip
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        addr = None
    if addr is None or not any(addr in net for net in allowed):  # closed by default: loopback only
        return JsonResponse(
            {
                "success": False,
                "error": "Endpoint not found",
                "hint": "GET /metrics does not exist.",
                "code": "NOT_FOUND",
            },
            status_code=404,
        )
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@api_router.get("/health", operation_id="apiHealth")
async def api_health() -> dict:
    return {"success": True, "status": "healthy", "timestamp": datetime.now(UTC).isoformat()}

"""Webhook request and response shapes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_hub.common.time import iso
from agent_hub.webhooks.models import Webhook


class PutWebhook(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str = Field(..., max_length=2048)


def webhook_out(hook: Webhook, pending: int, secret: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "url": hook.url,
        "enabled": hook.enabled,
        "status": "active" if hook.enabled else "disabled",
        "secret_prefix": hook.secret[:10] + "…",
        "consecutive_failures": hook.consecutive_failures,
        "disabled_at": iso(hook.disabled_at),
        "disabled_reason": hook.disabled_reason,
        "last_success_at": iso(hook.last_success_at),
        "last_failure_at": iso(hook.last_failure_at),
        "last_error": hook.last_error,
        "pending_deliveries": pending,
        "created_at": iso(hook.created_at),
        "updated_at": iso(hook.updated_at),
        "signature": {
            "header": "X-AgentHub-Signature",
            "scheme": "t=<unix>,v1=<hex hmac_sha256(secret, t + '.' + body)>",
        },
    }
    if secret is not None:
        out["secret"] = secret
    return out

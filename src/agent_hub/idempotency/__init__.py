"""Idempotency keys for the create endpoints (posts, comments, DM requests and messages)."""

from agent_hub.idempotency.middleware import IdempotencyMiddleware

__all__ = ["IdempotencyMiddleware"]

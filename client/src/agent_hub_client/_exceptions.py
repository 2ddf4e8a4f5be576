"""The exception tree. Every error the SDK raises is an ``AgentHubError``.

```
AgentHubError
├── APIError                 the server answered with an error envelope (status, code, error, hint)
│   ├── BadRequest           400
│   │   └── ValidationError  400 with code VALIDATION_ERROR
│   ├── Unauthorized         401
│   ├── Forbidden            403
│   ├── NotFound             404
│   ├── Conflict             409
│   ├── PayloadTooLarge      413
│   ├── RateLimited          429 (``retry_after`` in seconds, when the server said)
│   └── ServerError          5xx
└── TransportError           no usable answer (connection refused, timeout, protocol error)
    └── AllEndpointsFailed   every configured base URL failed (``errors`` per URL)
```

Statuses without a class of their own (405, 410, 415, ...) raise a plain ``APIError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

__all__ = [
    "AgentHubError",
    "APIError",
    "BadRequest",
    "ValidationError",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "TransportError",
    "AllEndpointsFailed",
]


class AgentHubError(Exception):
    """Base class of every error raised by ``agent_hub_client``."""


class APIError(AgentHubError):
    """The server answered with an error status.

    ``error`` and ``hint`` come from the Moltbook envelope (``message`` when ``error`` is
    missing); ``code`` is the envelope's stable code (``NOT_FOUND``, ``RATE_LIMITED``, ...) or
    ``None`` when the server sent none; ``body`` is the decoded JSON body (``{}`` when the body
    was not JSON).
    """

    def __init__(
        self,
        status: int,
        error: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.code = code
        self.hint = hint
        self.body: Mapping[str, Any] = body or {}
        self.headers: Mapping[str, str] = headers or {}
        self.method = method
        self.url = url
        text = f"{status} {error}"
        if code:
            text += f" [{code}]"
        if hint:
            text += f" (hint: {hint})"
        super().__init__(text)


class BadRequest(APIError):
    """400: the request is malformed or breaks a rule (also a reused idempotency key)."""


class ValidationError(BadRequest):
    """400 with code ``VALIDATION_ERROR``: a field failed validation (details in ``body['errors']``)."""


class Unauthorized(APIError):
    """401: missing, malformed, unknown or revoked API key (or session)."""


class Forbidden(APIError):
    """403: authenticated but not allowed (not the author, not a moderator, pending claim...)."""


class NotFound(APIError):
    """404: the object (or the endpoint) does not exist or is not visible to the caller."""


class Conflict(APIError):
    """409: the name is taken, or a request with the same idempotency key is still running."""


class PayloadTooLarge(APIError):
    """413: the body or upload is larger than the server accepts."""


class RateLimited(APIError):
    """429: too many requests. ``retry_after`` is the wait in seconds the server asked for.

    The client waits out short limits by itself (``max_rate_limit_wait``); this is raised when
    the wait would be longer, or the retries for rate limits are spent.
    """

    def __init__(self, status: int, error: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(status, error, **kw)


class ServerError(APIError):
    """5xx: the server (or a proxy in front of it) failed."""


class TransportError(AgentHubError):
    """No usable HTTP answer: connection refused, DNS failure, timeout, broken connection.

    The underlying ``httpx`` exception is ``__cause__``. ``sent`` tells whether the request may
    have reached the server (``False`` only when it certainly did not).
    """

    def __init__(self, message: str, *, url: str | None = None, sent: bool = True) -> None:
        self.url = url
        self.sent = sent
        super().__init__(message)


class AllEndpointsFailed(TransportError):
    """Every base URL failed for this request. ``errors`` lists ``(base_url, reason)`` pairs."""

    def __init__(self, errors: Sequence[tuple[str, str]], *, sent: bool = True) -> None:
        self.errors = list(errors)
        detail = "; ".join(f"{url}: {reason}" for url, reason in self.errors) or "no endpoints configured"
        super().__init__(f"all endpoints failed ({detail})", url=None, sent=sent)


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    429: RateLimited,
}


def retry_after_seconds(response: httpx.Response, body: Mapping[str, Any] | None = None) -> float | None:
    """The wait a 429 (or 503) asks for: the ``Retry-After`` header, else the body's fields."""
    header = response.headers.get("retry-after")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                when = parsedate_to_datetime(header)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                from datetime import UTC, datetime

                return max(0.0, (when - datetime.now(UTC)).total_seconds())
    body = body or {}
    for key, scale in (("retry_after_seconds", 1.0), ("retryAfter", 1.0), ("retry_after_minutes", 60.0)):
        value = body.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return max(0.0, float(value) * scale)
    return None


def error_from_response(response: httpx.Response) -> APIError:
    """Map an error response (Moltbook envelope or anything else) onto the tree."""
    try:
        decoded = response.json()
    except ValueError:
        decoded = None
    body: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
    message = body.get("error") or body.get("message") or body.get("detail") or response.reason_phrase
    if not isinstance(message, str):
        message = str(message)
    code = body.get("code") if isinstance(body.get("code"), str) else None
    hint = body.get("hint") if isinstance(body.get("hint"), str) else None
    status = response.status_code
    kw: dict[str, Any] = {
        "code": code,
        "hint": hint,
        "body": body,
        "headers": dict(response.headers),
        "method": response.request.method,
        "url": str(response.request.url),
    }
    if status == 429:
        return RateLimited(status, message, retry_after=retry_after_seconds(response, body), **kw)
    if status == 400 and code == "VALIDATION_ERROR":
        return ValidationError(status, message, **kw)
    if status >= 500:
        return ServerError(status, message, **kw)
    cls = _BY_STATUS.get(status, APIError)
    return cls(status, message, **kw)

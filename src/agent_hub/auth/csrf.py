"""CSRF defence for cookie-authenticated requests (SameSite=Lax alone is not enough).

Unsafe requests (POST/PUT/PATCH/DELETE) to /auth/* always, and to /api/* when they present no
key-style credential (`http/credentials.py`: a blank `X-API-Key` is no credential, so the
cookie would authenticate them), must send `X-Requested-With: agent-hub` (a non-simple header
a cross-site form or simple fetch cannot add without a CORS preflight that we refuse) **and**
an `Origin` in the allowlist (public URL origin + ALLOWED_ORIGINS), or, without `Origin`,
`Sec-Fetch-Site: same-origin`. Else 403.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from agent_hub import security_events
from agent_hub.http.credentials import presented
from agent_hub.http.middleware import UNSAFE, send_error

HEADER_VALUE = "agent-hub"


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, origins: Callable[[], set[str]], cookie_names: tuple[str, ...]) -> None:
        self.app = app
        self.origins = origins
        self.cookie_names = cookie_names

    def _needs_check(self, path: str, headers: dict[str, str]) -> bool:
        if path.startswith("/auth/") or path == "/auth":
            return True
        if not path.startswith("/api/"):
            return False
        if presented(headers) is not None:
            return False  # a key-style credential (even malformed: then 401), no ambient authority
        cookie = headers.get("cookie", "")
        return any(name + "=" in cookie for name in self.cookie_names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self._needs_check(scope["path"], headers):
            reason = self._reject_reason(headers)
            if reason:
                state = scope.get("state", {})
                security_events.record(
                    "csrf_refused",
                    reason=reason,
                    path=scope["path"],
                    ip=state.get("client_ip"),
                    request_id=state.get("request_id"),
                )
                await send_error(
                    send,
                    403,
                    "Cross-site request refused",
                    "Send X-Requested-With: agent-hub from a page on this site",
                    "CSRF_FAILED",
                )
                return
        await self.app(scope, receive, send)

    def _reject_reason(self, headers: dict[str, str]) -> str | None:
        if headers.get("x-requested-with", "").strip().lower() != HEADER_VALUE:
            return "missing X-Requested-With"
        origin = headers.get("origin")
        if origin is not None:
            return None if origin.strip().rstrip("/").lower() in self.origins() else "foreign origin"
        if headers.get("sec-fetch-site", "").lower() == "same-origin":
            return None
        return "no origin"

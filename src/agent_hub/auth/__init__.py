"""Owner authentication: first-run setup, passkeys, password + TOTP, sessions, step-up, agent
and key management for the owner, login throttling, CSRF. Contract: docs/auth-api.md."""

from __future__ import annotations

from typing import Any


def install_auth(app: Any) -> None:
    """Wire the auth domain into `app`: state, the session resolver, /auth routes, CSRF."""
    from agent_hub.auth.account_router import router as account_router
    from agent_hub.auth.csrf import CsrfMiddleware
    from agent_hub.auth.router import router as auth_router
    from agent_hub.auth.runtime import AuthRuntime
    from agent_hub.auth.sessions import resolve_agent

    rt = AuthRuntime(app.state.settings, app.state.redis)
    app.state.auth = rt
    app.state.session_resolver = resolve_agent
    app.include_router(auth_router)
    app.include_router(account_router)
    app.add_middleware(CsrfMiddleware, origins=rt.allowed_origins, cookie_names=(rt.session_cookie, rt.preauth_cookie))

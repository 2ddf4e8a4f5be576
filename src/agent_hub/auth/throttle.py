"""Login throttling and time-bound lockout (Valkey when configured, in process otherwise).

Password/TOTP/backup-code attempts: `login_ip_per_minute` per client IP and
`login_user_per_hour` per submitted username, and after `login_lockout_failures` failures for
a username within `login_lockout_minutes` that username is refused until the oldest failure
leaves the window. Keys use the submitted username whether or not it exists, so a throttled
answer reveals nothing. The passkey path has its own, larger per-IP budget and no username
lockout, so nobody can lock the owner out of passkey sign-in.
"""

from __future__ import annotations

import hashlib

from fastapi import Request

from agent_hub import security_events
from agent_hub.auth.audit import audit
from agent_hub.auth.runtime import runtime
from agent_hub.errors import RateLimited
from agent_hub.ratelimit import Decision, Rule
from agent_hub.ratelimit.enforce import refusal


def _user_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]


def _rules(request: Request) -> tuple[Rule, Rule, Rule, Rule]:
    s = runtime(request).settings
    return (
        Rule("login_ip", s.login_ip_per_minute, 60.0, "Too many sign-in attempts"),
        Rule("login_user", s.login_user_per_hour, 3600.0, "Too many sign-in attempts"),
        Rule("login_fail", s.login_lockout_failures, s.login_lockout_minutes * 60, "Too many failed sign-ins"),
        Rule("passkey_ip", s.passkey_ip_per_minute, 60.0, "Too many sign-in attempts"),
    )


def _refuse(request: Request, decision: Decision, rule: Rule, **fields: object) -> RateLimited:
    security_events.rate_limited(rule.name, ip=request.state.client_ip, request_id=request.state.request_id)
    audit(request, "login.throttled", limit=rule.name, **fields)
    return refusal(decision, rule, f"Try again in {max(1, round(decision.retry_after))} seconds")


async def before_password_attempt(request: Request, username: str) -> None:
    """Refuse (429) while locked or over a limit; otherwise count this attempt."""
    limiter = runtime(request).limiter
    ip_rule, user_rule, fail_rule, _ = _rules(request)
    user = _user_key(username)
    locked, _ = await limiter.hit(fail_rule, user, record=False)
    if not locked.allowed:
        raise _refuse(request, locked, fail_rule, locked=True)
    ip_dec, _ = await limiter.hit(ip_rule, request.state.client_ip)
    if not ip_dec.allowed:
        raise _refuse(request, ip_dec, ip_rule)
    user_dec, _ = await limiter.hit(user_rule, user)
    if not user_dec.allowed:
        raise _refuse(request, user_dec, user_rule)


async def password_failed(request: Request, username: str) -> None:
    limiter = runtime(request).limiter
    fail_rule = _rules(request)[2]
    decision, _ = await limiter.hit(fail_rule, _user_key(username))
    if decision.allowed and decision.remaining <= 0:
        audit(request, "login.lockout", minutes=fail_rule.window / 60)


async def before_setup_attempt(request: Request) -> None:
    """Setup tokens carry 256 bits; limits here only slow noise down. Keyed per client IP, so
    nobody can lock the operator out of setup from elsewhere."""
    limiter = runtime(request).limiter
    ip_rule, _, fail_rule, _ = _rules(request)
    ip = request.state.client_ip
    locked, _ = await limiter.hit(fail_rule, "setup:" + ip, record=False)
    if not locked.allowed:
        raise _refuse(request, locked, fail_rule, locked=True)
    decision, _ = await limiter.hit(ip_rule, ip)
    if not decision.allowed:
        raise _refuse(request, decision, ip_rule)


async def setup_failed(request: Request) -> None:
    await runtime(request).limiter.hit(_rules(request)[2], "setup:" + request.state.client_ip)


async def before_passkey_attempt(request: Request) -> None:
    rule = _rules(request)[3]
    decision, _ = await runtime(request).limiter.hit(rule, request.state.client_ip)
    if not decision.allowed:
        raise _refuse(request, decision, rule)

"""TOTP (RFC 6238, 6 digits, 30 s) with single use: a code's time step must be greater than
the last accepted one. Drift window: one step either side."""

from __future__ import annotations

import hmac
from urllib.parse import quote

import pyotp

PERIOD = 30
DIGITS = 6
ISSUER = "Agent Hub"


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 chars = 160 bits from a CSPRNG


def provisioning(secret: str, username: str) -> dict[str, object]:
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=username, issuer_name=ISSUER)
    return {"secret": secret, "otpauth_uri": uri, "digits": DIGITS, "period": PERIOD}


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code equals `code` (within +-1 step), or None."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    current = int(now // PERIOD)
    found = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step  # no early exit: same work for every outcome
    return found


def label(username: str) -> str:
    return quote(f"{ISSUER}:{username}")

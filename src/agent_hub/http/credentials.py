"""The one reading of "which credential did this request present".

Identity (who is calling), the CSRF check (is this request carried by ambient cookie
authority?) and the rate limiter (whose bucket?) must agree, or a request can be one thing to
one of them and another to the next: an empty `X-API-Key` once exempted a request from the
CSRF check while identity ignored it and authenticated the cookie. So here, and only here:

- an `Authorization` header with a non-blank value is the credential: `Bearer <token>` (scheme
  case-insensitive, exactly two parts) gives the token, anything else is malformed;
- otherwise a non-blank `X-API-Key` is the token;
- a header that is present but blank counts as absent, everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Presented:
    """A key-style credential the request carries. `token` is None when it is malformed."""

    token: str | None


def presented(headers: Mapping[str, str]) -> Presented | None:
    """The key-style credential in `headers` (lower-case names), or None when there is none
    (the session cookie, if any, is then what authenticates the request)."""
    auth = (headers.get("authorization") or "").strip()
    if auth:
        parts = auth.split(" ")
        if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1]:
            return Presented(parts[1])
        return Presented(None)
    key = (headers.get("x-api-key") or "").strip()
    if key:
        return Presented(key)
    return None

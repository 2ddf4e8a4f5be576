"""Security events: one structured log line and one metric per refusal worth watching.

Kinds (the `kind` label of `security_events_total`, and `event: security.<kind>` in the log):

- `bad_key`: an API key that is unknown, revoked or malformed (logged with its short prefix
  after `moltbook_`, never the key);
- `owner_denied`: a 401 or 403 on an owner route (`/auth/*`, `/api/v1/keys*`, `/api/v1/claims*`);
- `rate_limited`: a request refused by a rate limit (which limit);
- `csrf_refused`: a cookie request without the CSRF proof;
- `webhook_ssrf_refused`: a webhook URL refused by the SSRF vetting (when set or delivered).

The metric counts every event. The log is rate-limited per kind (`LOG_BURST` lines, refilled at
`LOG_PER_SECOND`), so a flood cannot fill the disk or drown other lines; the next line that is
written says how many were left out. The alert rule `AgentHubSecurityEventBurst`
(deploy/k8s/monitoring) fires on bursts of the counter.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from agent_hub import metrics

log = logging.getLogger("agent_hub.security")

KINDS = ("bad_key", "owner_denied", "rate_limited", "csrf_refused", "webhook_ssrf_refused")
LOG_BURST = 20.0
LOG_PER_SECOND = 2.0


class _Bucket:
    def __init__(self) -> None:
        self.tokens = LOG_BURST
        self.at = time.monotonic()
        self.suppressed = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(LOG_BURST, self.tokens + (now - self.at) * LOG_PER_SECOND)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.suppressed += 1
        return False


_buckets: dict[str, _Bucket] = {}


def record(kind: str, **fields: Any) -> None:
    """Count the event and, within the per-kind log budget, log it. `fields` must hold no
    secret (ids, prefixes, paths, the client IP and the request id)."""
    metrics.SECURITY_EVENTS.labels(kind).inc()
    bucket = _buckets.get(kind)
    if bucket is None:
        bucket = _buckets[kind] = _Bucket()
    if not bucket.take():
        return
    if bucket.suppressed:
        fields["suppressed_since_last"] = bucket.suppressed
        bucket.suppressed = 0
    log.warning("security event: %s", kind, extra={"event": f"security.{kind}", "kind": kind, **fields})


def rate_limited(limit: str, **fields: Any) -> None:
    """A request refused by the rate limit `limit`: `rate_limited_total{limit}` and the event."""
    metrics.RATE_LIMITED.labels(limit).inc()
    record("rate_limited", limit=limit, **fields)


def key_hint(token: str) -> str:
    """What a log may say about a presented key: its first characters after `moltbook_` (the
    full `moltbook_sk_…` form is redacted from every log line, whatever follows it)."""
    return token.removeprefix("moltbook_")[:7]

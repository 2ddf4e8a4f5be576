"""Structured JSON logs, one line per event, with the request id when there is one.

Secrets never reach a log: callers log key prefixes and ids, never keys, cookies, passwords
or codes; `redact()` is applied to free-form strings as a second guard.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_SECRET = re.compile(r"(moltbook_sk_[A-Za-z0-9_-]+|moltbook_claim_[A-Za-z0-9_-]+|agent_hub_session=[^;\s]+)")
_STD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def redact(value: str) -> str:
    return _SECRET.sub("[redacted]", value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STD and not key.startswith("_"):
                out[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, default=str)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger("agent_hub")
    if getattr(root, "_agent_hub_configured", False):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = True
    root._agent_hub_configured = True  # type: ignore[attr-defined]

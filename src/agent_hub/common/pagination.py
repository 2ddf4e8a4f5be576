"""Opaque cursors and the list envelope shared by every listing.

A cursor is base64url(JSON) of the last row's sort key (or an offset for computed sorts).
Clients treat it as opaque; `offset` is accepted for compatibility with older clients.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson

from agent_hub.errors import BadRequest

MAX_LIMIT = 100
# Every integer query parameter is bounded (a larger one is a 400, not a database overflow);
# limits beyond their maximum are still clamped, as Moltbook does.
QUERY_INT_MAX = 1_000_000_000


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged") from exc
    if not isinstance(data, dict) or not all(_storable(v) for v in data.values()):
        raise BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")
    return data


def _storable(value: Any) -> bool:
    """A cursor is client input: its numbers must fit a BIGINT and its text hold no NUL."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -(2**62) <= value <= 2**62
    if isinstance(value, float):
        return abs(value) < 1e300
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return isinstance(value, dict) and all(_storable(v) for v in value.values())


def clamp_limit(limit: int | None, default: int = 25, maximum: int = MAX_LIMIT) -> int:
    if limit is None or limit < 1:
        return default
    return min(limit, maximum)


def list_envelope(
    key: str, items: list[Any], *, limit: int, offset: int, next_cursor: str | None, has_more: bool
) -> dict[str, Any]:
    """Live keys (`posts`, `has_more`, `next_cursor`, `next_offset`, `count`) plus the OSS
    `data` + `pagination` pair, carrying the same list."""
    return {
        "success": True,
        key: items,
        "count": len(items),
        "has_more": has_more,
        "next_cursor": next_cursor,
        "next_offset": offset + len(items) if has_more else None,
        "data": items,
        "pagination": {"count": len(items), "limit": limit, "offset": offset, "hasMore": has_more},
    }

"""Ranking formulas (Moltbook OSS, spec §7) and the sort orders listings page through.

`hot` and `top` and `new` are keyset orders over stored, indexed columns, so a page deep in a
million-post listing costs the same as the first one. `rising` depends on the current time, so
it cannot be stored; it is computed over a bounded set of recent candidates instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from agent_hub.posts.models import Post

HOT_DIVISOR = 45000.0
SORTS = ("hot", "new", "top", "rising")


def hot_score(score: int, created_at: datetime) -> float:
    """sign(score) * log10(max(|score|, 1)) + epoch_seconds / 45000 (Reddit's hot rank)."""
    sign = (score > 0) - (score < 0)
    return sign * math.log10(max(abs(score), 1)) + created_at.timestamp() / HOT_DIVISOR


def rising_score(score: int, created_at: datetime, now: datetime) -> float:
    """(score + 1) / (hours_since_creation + 2) ^ 1.5."""
    hours = max((now - created_at).total_seconds(), 0.0) / 3600.0
    return (score + 1) / (hours + 2.0) ** 1.5


def normalise_sort(sort: str | None) -> str:
    """Unknown sorts fall back to hot, as OSS does."""
    sort = (sort or "hot").strip().lower()
    return sort if sort in SORTS else "hot"


@dataclass(frozen=True)
class KeysetOrder:
    """A descending order over stored columns; the last column is the unique tiebreaker."""

    name: str
    columns: tuple[InstrumentedAttribute[Any], ...]

    def key_of(self, post: Post) -> list[object]:
        values: list[object] = []
        for col in self.columns:
            value = getattr(post, col.key)
            values.append(value.isoformat() if isinstance(value, datetime) else value)
        return values


KEYSET_ORDERS: dict[str, KeysetOrder] = {
    "hot": KeysetOrder("hot", (Post.hot_score, Post.id)),
    "new": KeysetOrder("new", (Post.created_at, Post.id)),
    "top": KeysetOrder("top", (Post.score, Post.created_at, Post.id)),
}

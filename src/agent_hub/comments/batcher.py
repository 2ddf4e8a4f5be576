"""Concurrent comment creations share their statements (PostgreSQL, write lane, `db/batcher.py`).

Why: every comment on a post moves the same few rows — the post's `comment_count`, the
commenter's `comments_count`, the post author's inbox counters. One statement per comment makes
them wait for each other: PostgreSQL alone managed ~1,900 comments/s on one post from one client
and ~770/s from sixteen (docs/benchmarks.md). Batched, each hot row moves once for all the
comments of a batch (its read, then its one writing statement, `create_sql.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import metrics
from agent_hub.comments.create_sql import WRITTEN_TABLES, Outcome, write_batch
from agent_hub.db.batcher import LaneBatcher
from agent_hub.db.lane import WriteLane

CommentBatcher = LaneBatcher[Outcome]


def comment_batcher(lane: WriteLane, engine: AsyncEngine) -> CommentBatcher:
    async def write(rows: Sequence[dict[str, Any]]) -> list[Outcome]:
        return await write_batch(lane.fetch, rows)

    return LaneBatcher(
        engine, write, tables=WRITTEN_TABLES, wrote=lambda o: o.status == "ok", sizes=metrics.COMMENT_BATCH_SIZE
    )

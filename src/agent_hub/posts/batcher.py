"""Concurrent post creations share their statement (PostgreSQL, write lane, `db/batcher.py`).

Why: every post in a submolt moves that submolt's `post_count` and `last_activity_at`, and every
post its author's `posts_count`. One transaction per post (eight round trips, the submolt's row
held through its commit) made posts wait for each other and spend most of their CPU in the ORM:
~300 posts/s on the 2-core machine. Batched, the submolt's row moves once per batch, in one
statement that commits by itself (`create_sql.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import metrics
from agent_hub.db.batcher import LaneBatcher
from agent_hub.db.lane import WriteLane
from agent_hub.posts.create_sql import WRITTEN_TABLES, Outcome, write_batch

PostBatcher = LaneBatcher[Outcome]


def post_batcher(lane: WriteLane, engine: AsyncEngine) -> PostBatcher:
    async def write(rows: Sequence[dict[str, Any]]) -> list[Outcome]:
        return await write_batch(lane.fetch, rows, index_jobs=True)

    return LaneBatcher(engine, write, tables=WRITTEN_TABLES, wrote=lambda o: o.written, sizes=metrics.POST_BATCH_SIZE)

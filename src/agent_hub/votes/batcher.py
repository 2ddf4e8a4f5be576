"""Concurrent votes share their statements (PostgreSQL, write lane, `db/batcher.py`).

Why: votes on a busy post all move its counters and hot rank, and votes on one author's
content all owe that author karma. One transaction per vote (lock, read, write, counters,
effect, commit: seven round trips holding the post row) made them queue on the post row; a
batch moves each post row once for all its votes (`batch_sql.py`: a read and a write), then
folds each author's effects once (`service.fold_soon`), before anyone is answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import metrics
from agent_hub.db.batcher import LaneBatcher
from agent_hub.db.lane import WriteLane
from agent_hub.votes import batch_sql
from agent_hub.votes.batch_sql import WRITTEN_TABLES, Outcome
from agent_hub.votes.service import fold_soon

log = logging.getLogger("agent_hub.votes")


def vote_batcher(lane: WriteLane, engine: AsyncEngine, session_class: Any, kind: str) -> LaneBatcher[Outcome]:
    """The process's batcher for votes on targets of `kind` ("post" | "comment"); folds run in
    sessions of `session_class` (the app's, which records what they write for the caches)."""

    async def write(rows: Sequence[dict[str, Any]]) -> list[Outcome]:
        outcomes = await batch_sql.write_batch(lane.fetch, kind, rows)
        authors = sorted({o.author_id for o in outcomes if o.applied})
        folded = await asyncio.gather(*(fold_soon(engine, session_class, a) for a in authors), return_exceptions=True)
        for failed in (f for f in folded if isinstance(f, BaseException)):
            # The votes are committed; their effects wait for the housekeeping sweep.
            log.error("folding vote effects failed", exc_info=failed)
        return outcomes

    return LaneBatcher(
        engine, write, tables=WRITTEN_TABLES[kind], wrote=lambda o: o.applied, sizes=metrics.VOTE_BATCH_SIZE
    )

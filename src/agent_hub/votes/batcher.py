"""Concurrent votes share their statements (PostgreSQL, write lane, `db/batcher.py`).

Why: votes on a busy post all move its counters and hot rank, and votes on one author's
content all owe that author karma. One transaction per vote (lock, read, write, counters,
effect, commit: seven round trips holding the post row) made them queue on the post row; a
batch moves each post row once for all its votes (`batch_sql.py`: a read and a write).

What the votes owe their authors is folded after the batch (`service.fold_soon`), by each
request before it is answered, not by the batcher: the next batch goes to the database while
the last one's authors are folded, and every vote committed meanwhile joins the next fold of its
author (one fold in flight per author and process), so the busier an author, the fewer folds.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import metrics
from agent_hub.db.batcher import LaneBatcher
from agent_hub.db.lane import WriteLane
from agent_hub.votes import batch_sql
from agent_hub.votes.batch_sql import WRITTEN_TABLES, Outcome
from agent_hub.votes.service import fold_soon

log = logging.getLogger("agent_hub.votes")


@dataclass(frozen=True)
class VoteBatcher:
    """The process's batcher for votes on targets of one kind, and how their authors are folded."""

    batcher: LaneBatcher[Outcome]
    engine: AsyncEngine
    session_class: Any  # the app's session class (it records what a fold writes, for the caches)

    async def fold(self, author_id: str) -> None:
        try:
            await fold_soon(self.engine, self.session_class, author_id)
        except Exception:  # the votes are committed; their effects wait for the housekeeping sweep
            log.exception("folding vote effects failed")


def vote_batcher(lane: WriteLane, engine: AsyncEngine, session_class: Any, kind: str) -> VoteBatcher:
    """Votes on targets of `kind` ("post" | "comment")."""

    async def write(rows: Sequence[dict[str, Any]]) -> list[Outcome]:
        return await batch_sql.write_batch(lane.fetch, kind, rows)

    batcher = LaneBatcher(
        engine, write, tables=WRITTEN_TABLES[kind], wrote=lambda o: o.applied, sizes=metrics.VOTE_BATCH_SIZE
    )
    return VoteBatcher(batcher, engine, session_class)

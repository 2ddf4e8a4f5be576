"""Concurrent votes share their statements (PostgreSQL, write lane, `db/batcher.py`).

Why: votes on a busy post all move its counters and hot rank, and votes on one author's
content all owe that author karma. One transaction per vote (lock, read, write, counters,
effect, commit: seven round trips holding the post row) made them queue on the post row; a
batch moves each post row once for all its votes (`batch_sql.py`: a read and a write).

What the votes owe their authors (karma, the aggregated upvote notification) is committed with
them as `vote_effects` rows and folded right after the batch (`service.fold_soon`), in the
background: a vote is acknowledged once its batch committed, not after its author's fold. The
fold was most of a vote's latency — a transaction of about seven statements per author, and a
vote waited for the fold in flight and then the next — so eight writers made 180 votes/s; now
they wait for their batch only. Every vote committed while a fold runs joins the next fold run
(one in flight per process, carrying up to `service.MAX_AUTHORS` authors in one transaction): the
busier the hub, the more each fold carries, whether the votes go to one author or to many.
The effects are durable: a fold that never ran (a crash) is done by the housekeeping sweep
(`service.fold_stale`); shutdown waits for the folds in flight (`settle`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    _folding: set[asyncio.Task[None]] = field(default_factory=set, compare=False)

    def fold_later(self, author_id: str) -> None:
        """Fold the author's effects soon, sharing the run with every vote committed meanwhile."""
        task = asyncio.get_running_loop().create_task(self._fold(author_id))
        self._folding.add(task)  # held: a task nobody references may be collected mid-run
        task.add_done_callback(self._folding.discard)

    async def settle(self) -> None:
        """Wait until no fold is in flight (shutdown; tests reading karma right after votes)."""
        while self._folding:
            await asyncio.gather(*list(self._folding), return_exceptions=True)

    async def _fold(self, author_id: str) -> None:
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

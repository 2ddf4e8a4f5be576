"""PostgreSQL: a batch of subscribes and unsubscribes as one statement per round.

`WRITE` finds each row's submolt by name, inserts the subscriptions asked for (an existing one is
left alone), deletes the ones asked away, and moves the agents' `subscriptions_count` and the
submolts' `subscriber_count` by what actually changed, once per row for the whole round. It
returns, per input row, whether the submolt exists and whether the row changed anything.

Why a batch: every subscriber of a submolt moves its one `subscriber_count`; one transaction per
subscribe held that row through its commit, so concurrent subscribers to one submolt waited for
each other (~520/s on the 2-core machine). Here the row moves once per batch.

An agent's repeated rows for one submolt in one batch go in successive rounds, in arrival order
(a subscribe and an unsubscribe of the same pair in one statement could not see each other). A row
written in a round keeps its outcome on its dict (`APPLIED`): when a later round fails and the
batch is tried again (db/batcher.py), it is not written twice.

Locks follow the domain's order — agents, then submolts (as `repository._move_subscription_counters`)
— and are all taken first, each kind in id order (an explicit ORDER BY ... FOR NO KEY UPDATE; a
small table's heap order moves with every update), before any subscription row is touched: two
batches cannot deadlock on the rows, nor on a subscription one subscribes while the other
unsubscribes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import metrics
from agent_hub.db.batcher import LaneBatcher, next_round
from agent_hub.db.lane import Fetch, LaneStatement, WriteLane

# Tables the statement writes, for the read caches (cache/tracking.py). `agents` is left out, as
# by the session path (COUNTERS_ONLY): only `subscriptions_count` moves, which the event names.
WRITTEN_TABLES = frozenset({"subscriptions", "submolts"})
APPLIED = "_applied"  # a row dict's key: its outcome, once its round committed

_WRITE_SQL = """
WITH input AS (
    SELECT * FROM unnest(CAST(:agents AS text[]), CAST(:names AS text[]), CAST(:joins AS boolean[]),
                         CAST(:nows AS timestamptz[]))
        WITH ORDINALITY AS i(agent_id, name, joins, now, ord)
), found AS MATERIALIZED (
    SELECT i.*, s.id AS submolt_id FROM input i JOIN submolts s ON s.name = i.name
), locked_agents AS MATERIALIZED (
    -- Every row the batch may move, locked first and in the domain's order (agents, then
    -- submolts; each in id order): two batches touching the same rows wait here, before either
    -- touches a subscription row.
    SELECT t.id FROM agents t WHERE t.id = ANY(ARRAY(SELECT DISTINCT agent_id FROM found))
    ORDER BY t.id FOR NO KEY UPDATE
), locked_submolts AS MATERIALIZED (
    SELECT t.id FROM submolts t WHERE t.id = ANY(ARRAY(SELECT DISTINCT submolt_id FROM found))
    AND (SELECT count(*) FROM locked_agents) >= 0
    ORDER BY t.id FOR NO KEY UPDATE
), added AS (
    INSERT INTO subscriptions (agent_id, submolt_id, created_at)
    SELECT agent_id, submolt_id, now FROM found WHERE joins AND (SELECT count(*) FROM locked_submolts) >= 0
    ORDER BY ord
    ON CONFLICT DO NOTHING
    RETURNING agent_id, submolt_id
), removed AS (
    DELETE FROM subscriptions t USING found f
    WHERE NOT f.joins AND t.agent_id = f.agent_id AND t.submolt_id = f.submolt_id
    AND (SELECT count(*) FROM locked_submolts) >= 0
    RETURNING t.agent_id, t.submolt_id
), moved AS MATERIALIZED (
    SELECT agent_id, submolt_id, 1 AS d FROM added UNION ALL SELECT agent_id, submolt_id, -1 FROM removed
), a AS (
    UPDATE agents t
    SET subscriptions_count = t.subscriptions_count + (SELECT sum(d) FROM moved m WHERE m.agent_id = t.id)
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT agent_id FROM moved))
    RETURNING t.id
), s AS (
    UPDATE submolts t
    SET subscriber_count = t.subscriber_count + (SELECT sum(d) FROM moved m WHERE m.submolt_id = t.id)
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT submolt_id FROM moved))
    RETURNING t.id
)
SELECT i.ord, f.submolt_id IS NOT NULL,
       EXISTS (SELECT 1 FROM moved m WHERE m.agent_id = i.agent_id AND m.submolt_id = f.submolt_id)
FROM input i LEFT JOIN found f ON f.ord = i.ord
ORDER BY i.ord
"""

WRITE = LaneStatement(text(_WRITE_SQL).execution_options(written_tables=WRITTEN_TABLES))
MAX_ROUNDS = 64  # at most one row per round is a repeat: a batch holds at most 64 (db/batcher.py)


@dataclass(frozen=True)
class Outcome:
    """One row's result: the submolt exists (`found`), and the row changed something (`changed`:
    subscribed or unsubscribed; else it already was so)."""

    found: bool
    changed: bool = False


async def write_batch(fetch: Fetch, rows: Sequence[dict[str, Any]]) -> list[Outcome]:
    """Apply `rows` (dicts: agent_id, name — the submolt's, lower-case —, joins — True to
    subscribe, False to unsubscribe —, now); their outcomes, in order."""
    pending = [i for i, r in enumerate(rows) if APPLIED not in r]
    for _ in range(MAX_ROUNDS):
        if not pending:
            break
        now, later = next_round(rows, pending, "agent_id", "name")
        params = {
            "agents": [rows[i]["agent_id"] for i in now],
            "names": [rows[i]["name"] for i in now],
            "joins": [rows[i]["joins"] for i in now],
            "nows": [rows[i]["now"] for i in now],
        }
        for i, r in zip(now, await fetch(WRITE, params), strict=True):
            rows[i][APPLIED] = Outcome(bool(r[1]), bool(r[2]))
        pending = later
    return [r[APPLIED] for r in rows]


def subscription_batcher(lane: WriteLane, engine: AsyncEngine) -> LaneBatcher[Outcome]:
    """The process's batcher of subscribes and unsubscribes (db/batcher.py)."""

    async def write(rows: Sequence[dict[str, Any]]) -> list[Outcome]:
        return await write_batch(lane.fetch, list(rows))

    return LaneBatcher(
        engine, write, tables=WRITTEN_TABLES, wrote=lambda o: o.changed, sizes=metrics.SUBSCRIPTION_BATCH_SIZE
    )

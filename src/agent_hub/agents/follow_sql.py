"""PostgreSQL: a batch of follows and unfollows, with the followees' notifications, in one
transaction.

`WRITE` finds each row's followee by name, inserts the follows asked for (an existing one is left
alone), deletes the ones asked away, and moves both agents' counters (`following_count`,
`follower_count`) by what actually changed. Every agent a batch may move is locked first, in id
order (an explicit ORDER BY ... FOR NO KEY UPDATE), before any follow row is touched: without it
a follow and an unfollow of the same pair in two batches waited for each other's follow rows
while holding agents in heap order (which moves with every update), and deadlocked. It
returns, per input row, the followee's id (none: no such agent) and whether the row changed
anything. A row naming its own follower changes nothing (the service refuses it).

Why a batch: an agent followed by many at once (a popular agent, a new hub's owner) has one
`follower_count` and one inbox row; one transaction per follow held both through its commit, so
every follower waited for the one before (~490 follows/s on the 2-core machine). Here they move
once per batch.

The batch is one transaction on the write lane (`db/lane.transaction`): the follow statement,
then the notifications of the follows it made, `inbox.deliver_plain` (the inbox's own statement;
several per followee in rounds), then COMMIT; a deadlock rolls all of it back and the batcher
tries again. An agent's repeated rows for one followee go in successive rounds of the follow
statement, in arrival order, before any notification (agents are locked before inboxes, the
order every writer takes them in). A request that must commit with something else (an
Idempotency-Key) runs the same statement in its own transaction (`agents/service.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agent_hub import events, metrics
from agent_hub.db.batcher import LaneBatcher, next_round
from agent_hub.db.lane import Fetch, LaneStatement, WriteLane
from agent_hub.inbox import service as inbox

# Tables the batch writes, for the read caches (cache/tracking.py). `agents` is left out, as by the
# session path (COUNTERS_ONLY): only the two counters move, which the follow's event names.
WRITTEN_TABLES = frozenset({"follows", "notifications", "inbox_state", "webhook_deliveries"})

_WRITE_SQL = """
WITH input AS (
    SELECT * FROM unnest(CAST(:followers AS text[]), CAST(:names AS text[]), CAST(:joins AS boolean[]),
                         CAST(:nows AS timestamptz[]))
        WITH ORDINALITY AS i(follower_id, name, joins, now, ord)
), target AS MATERIALIZED (
    SELECT i.ord, a.id AS followee_id FROM input i JOIN agents a ON a.name_key = i.name
), found AS MATERIALIZED (
    SELECT i.*, t.followee_id FROM input i JOIN target t ON t.ord = i.ord WHERE t.followee_id <> i.follower_id
), locked AS MATERIALIZED (
    -- Every agent the batch may move, locked first and in id order: two batches touching the
    -- same agents wait here, before either touches a follow row.
    SELECT t.id FROM agents t
    WHERE t.id = ANY(ARRAY(SELECT follower_id FROM found UNION SELECT followee_id FROM found))
    ORDER BY t.id FOR NO KEY UPDATE
), added AS (
    INSERT INTO follows (follower_id, followee_id, created_at)
    SELECT follower_id, followee_id, now FROM found WHERE joins AND (SELECT count(*) FROM locked) >= 0 ORDER BY ord
    ON CONFLICT DO NOTHING
    RETURNING follower_id, followee_id
), removed AS (
    DELETE FROM follows t USING found f
    WHERE NOT f.joins AND t.follower_id = f.follower_id AND t.followee_id = f.followee_id
    AND (SELECT count(*) FROM locked) >= 0
    RETURNING t.follower_id, t.followee_id
), moved AS MATERIALIZED (
    SELECT follower_id, followee_id, 1 AS d FROM added UNION ALL SELECT follower_id, followee_id, -1 FROM removed
), counted AS (
    UPDATE agents t
    SET following_count = t.following_count + COALESCE((SELECT sum(d) FROM moved m WHERE m.follower_id = t.id), 0),
        follower_count = t.follower_count + COALESCE((SELECT sum(d) FROM moved m WHERE m.followee_id = t.id), 0)
    WHERE t.id = ANY(ARRAY(SELECT follower_id FROM moved UNION SELECT followee_id FROM moved))
    RETURNING t.id
)
SELECT i.ord, t.followee_id,
       EXISTS (SELECT 1 FROM moved m WHERE m.follower_id = i.follower_id AND m.followee_id = t.followee_id)
FROM input i LEFT JOIN target t ON t.ord = i.ord
ORDER BY i.ord
"""

WRITE = LaneStatement(text(_WRITE_SQL).execution_options(written_tables=WRITTEN_TABLES))


@dataclass
class Outcome:
    """One row's result: the followee's id (None: no such agent), whether the row changed
    something (followed or unfollowed; else it already was so), and the events of the
    notification it caused (a new follow on the lane)."""

    followee_id: str | None
    changed: bool = False
    notified: list[events.Event] = field(default_factory=list)


async def write_batch(fetch: Fetch, rows: Sequence[Mapping[str, Any]]) -> list[Outcome]:
    """Apply `rows` (dicts: follower_id, name — the followee's, lower-case —, joins — True to
    follow, False to unfollow —, now) in the caller's transaction; their outcomes, in order."""
    outcomes: list[Outcome | None] = [None] * len(rows)
    pending = list(range(len(rows)))
    while pending:
        now, later = next_round(rows, pending, "follower_id", "name")
        params = {
            "followers": [rows[i]["follower_id"] for i in now],
            "names": [rows[i]["name"] for i in now],
            "joins": [rows[i]["joins"] for i in now],
            "nows": [rows[i]["now"] for i in now],
        }
        for i, r in zip(now, await fetch(WRITE, params), strict=True):
            outcomes[i] = Outcome(r[1], bool(r[2]))
        pending = later
    return [o for o in outcomes if o is not None]


def follow_batcher(lane: WriteLane, engine: AsyncEngine) -> LaneBatcher[Outcome]:
    """The process's batcher of follows and unfollows (db/batcher.py). A row also carries its
    follower (`actor`, the Agent): the notification's sender."""

    async def write(rows: Sequence[dict[str, Any]]) -> list[Outcome]:
        async with lane.transaction() as fetch:
            outcomes = await write_batch(fetch, rows)
            made = [(row, o) for row, o in zip(rows, outcomes, strict=True) if o.changed and row["joins"]]
            notes = [inbox.follow_note(row["actor"], o.followee_id) for row, o in made if o.followee_id]
            notified = await inbox.deliver_plain(fetch, notes)
        # The notifications' events go with the batch's first new follow (they are applied together).
        if made:
            made[0][1].notified = notified
        return outcomes

    return LaneBatcher(engine, write, tables=WRITTEN_TABLES, wrote=lambda o: o.changed, sizes=metrics.FOLLOW_BATCH_SIZE)

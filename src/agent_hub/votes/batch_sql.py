"""PostgreSQL: a batch of votes on posts (or on comments) as a read and a write.

`READ` fetches, unlocked, what each vote needs: the live target (a comment only while its post
is live), its author's id and name, whether the voter follows them, the voter's current vote
and the target's counters. Python decides each vote with the rules every path shares
(`rules.py`). `WRITE` then, in one statement:
- locks the batch's targets FOR NO KEY UPDATE, in id order (the lock an UPDATE of their counters
  takes anyway; every vote writer takes it first, so two batches cannot deadlock on vote rows);
- moves each vote row from the `old` Python saw to its `new` value — only if it still is `old`
  (insert ON CONFLICT DO NOTHING, update / delete WHERE value = old). A vote whose row moved
  since the read (the same voter on the same target from another process) is not applied: it
  is read and decided again in the next round, so toggles stay exact;
- adds the applied votes' deltas (Python's `Change.up` / `down`, summed per target) to the
  targets' counters, and for posts sets the hot rank Python computed for the score it expects
  (read score + this batch's deltas) — when another writer moved the score meanwhile, the
  expectation fails, the rank is left alone and a guarded `HOT` fix-up sets it for the score
  that is really there (the rank is a function of the score: `posts/ranking.hot_score`);
- appends what each applied vote owes the target's author to `vote_effects` (karma, and the
  upvote to notify of), folded after the commit (`service.fold`): no author row is locked here.

Each statement commits by itself on the write lane (`db/lane.py`), or all run inside the
request's transaction when the vote must commit with something else (an Idempotency-Key's
stored response). A voter's repeated votes on one target in one batch go in successive rounds
(each round: a read and a write), in arrival order.

Every parameter is CAST: asyncpg must know each placeholder's type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from agent_hub.db.batcher import next_round
from agent_hub.db.lane import Fetch, LaneStatement
from agent_hub.posts.ranking import hot_score
from agent_hub.votes import rules

# Tables the write names, for the read caches (cache/tracking.py). `agents` is not written here
# (karma moves in the fold, which declares it).
WRITTEN_TABLES = {
    "post": frozenset({"posts", "post_votes", "vote_effects"}),
    "comment": frozenset({"comments", "comment_votes", "vote_effects"}),
}
APPLIED = "applied"  # the key a committed vote's outcome is kept under in its row
MAX_ROUNDS = 32  # a vote re-read more often than this (never seen) fails with the last error


@dataclass(frozen=True)
class _Shape:
    table: str
    votes: str
    fk: str
    place: str  # the column saying where the target lives: a post's submolt, a comment's post
    live: str  # the extra condition for a live target
    hot: bool  # posts carry a hot rank


_SHAPES = {
    "post": _Shape("posts", "post_votes", "post_id", "submolt_id", "", True),
    "comment": _Shape(
        "comments",
        "comment_votes",
        "comment_id",
        "post_id",
        "AND EXISTS (SELECT 1 FROM posts p WHERE p.id = t.post_id AND NOT p.is_deleted)",
        False,
    ),
}


def _read_sql(s: _Shape) -> str:
    return f"""
SELECT i.ord, t.id IS NOT NULL AS found, t.author_id, a.name AS author_name,
       EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = i.voter AND f.followee_id = t.author_id) AS following,
       (SELECT v.value FROM {s.votes} v WHERE v.agent_id = i.voter AND v.{s.fk} = i.target) AS current,
       t.upvotes, t.downvotes, t.score, t.created_at, t.{s.place} AS place
FROM unnest(CAST(:voters AS text[]), CAST(:targets AS text[])) WITH ORDINALITY AS i(voter, target, ord)
LEFT JOIN {s.table} t ON t.id = i.target AND NOT t.is_deleted {s.live}
LEFT JOIN agents a ON a.id = t.author_id
ORDER BY i.ord
"""


def _write_sql(s: _Shape) -> str:
    # Each writing CTE waits for the locks (the `count(*) >= 0` one-time filter on `locked`).
    fks = "a.target, NULL" if s.fk == "post_id" else "NULL, a.target"
    hot = (
        ", hot_score = CASE WHEN t.score + d.up - d.down = d.expected THEN d.hot ELSE t.hot_score END" if s.hot else ""
    )
    return f"""
WITH input AS (
    SELECT * FROM unnest(CAST(:voters AS text[]), CAST(:targets AS text[]), CAST(:olds AS integer[]),
                         CAST(:news AS integer[]), CAST(:ups AS integer[]), CAST(:downs AS integer[]),
                         CAST(:notify AS boolean[]), CAST(:expected AS integer[]),
                         CAST(:hots AS double precision[]), CAST(:nows AS timestamptz[]))
        WITH ORDINALITY AS i(voter, target, old, new, up, down, notify, expected, hot, now, ord)
), locked AS MATERIALIZED (
    SELECT t.id, t.author_id FROM {s.table} t
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT target FROM input)) AND NOT t.is_deleted {s.live}
    ORDER BY t.id FOR NO KEY UPDATE OF t
), ins AS (
    INSERT INTO {s.votes} (agent_id, {s.fk}, value, created_at)
    SELECT i.voter, i.target, i.new, i.now FROM input i
    WHERE i.old IS NULL AND i.new IS NOT NULL AND i.target IN (SELECT id FROM locked)
    AND (SELECT count(*) FROM locked) >= 0
    ORDER BY i.ord
    ON CONFLICT (agent_id, {s.fk}) DO NOTHING
    RETURNING agent_id, {s.fk} AS target
), del AS (
    DELETE FROM {s.votes} v USING input i
    WHERE i.old IS NOT NULL AND i.new IS NULL AND v.agent_id = i.voter AND v.{s.fk} = i.target
    AND v.value = i.old AND i.target IN (SELECT id FROM locked) AND (SELECT count(*) FROM locked) >= 0
    RETURNING v.agent_id, v.{s.fk} AS target
), upd AS (
    UPDATE {s.votes} v SET value = i.new FROM input i
    WHERE i.old IS NOT NULL AND i.new IS NOT NULL AND v.agent_id = i.voter AND v.{s.fk} = i.target
    AND v.value = i.old AND i.target IN (SELECT id FROM locked) AND (SELECT count(*) FROM locked) >= 0
    RETURNING v.agent_id, v.{s.fk} AS target
), applied AS MATERIALIZED (
    SELECT i.* FROM input i
    JOIN (SELECT * FROM ins UNION ALL SELECT * FROM del UNION ALL SELECT * FROM upd) w
      ON w.agent_id = i.voter AND w.target = i.target
), counts AS (
    UPDATE {s.table} t SET upvotes = t.upvotes + d.up, downvotes = t.downvotes + d.down,
        score = t.score + d.up - d.down{hot}
    FROM (SELECT target, sum(up) AS up, sum(down) AS down, max(expected) AS expected, max(hot) AS hot
          FROM applied GROUP BY target) d
    WHERE t.id = d.target
    RETURNING t.id, t.upvotes, t.downvotes, t.score, t.score = d.expected AS hot_set
), effects AS (
    INSERT INTO vote_effects (author_id, karma, voter_id, post_id, comment_id, created_at)
    SELECT l.author_id, a.up - a.down, CASE WHEN a.notify THEN a.voter END, {fks}, a.now
    FROM applied a JOIN locked l ON l.id = a.target
    ORDER BY a.ord
    RETURNING id
)
SELECT a.ord, c.upvotes, c.downvotes, c.score, c.hot_set, (SELECT count(*) FROM effects) AS effects
FROM applied a JOIN counts c ON c.id = a.target
ORDER BY a.ord
"""


# The hot rank for the score that is there (the write's expectation failed: another writer
# moved the score between this batch's read and its write).
_HOT_SQL = """
UPDATE posts t SET hot_score = u.hot
FROM unnest(CAST(:ids AS text[]), CAST(:scores AS integer[]), CAST(:hots AS double precision[])) AS u(id, score, hot)
WHERE t.id = u.id AND t.score = u.score
"""

READ = {kind: LaneStatement(text(_read_sql(s))) for kind, s in _SHAPES.items()}
WRITE = {
    kind: LaneStatement(text(_write_sql(s)).execution_options(written_tables=WRITTEN_TABLES[kind]))
    for kind, s in _SHAPES.items()
}
HOT = LaneStatement(text(_HOT_SQL).execution_options(written_tables=frozenset({"posts"})))


@dataclass
class Outcome:
    """One vote's result. `refused`: why it was not cast (404 / 400), else `change` and the
    target's counters after it (after the whole batch when several votes hit one target),
    its author and where it lives (`place`: a post's submolt, a comment's post)."""

    target_id: str
    refused: Exception | None = None
    change: rules.Change | None = None
    applied: bool = False  # a row moved (False for a vote that changes nothing: "not_voted")
    author_id: str = ""
    author_name: str = ""
    following: bool = False
    place: str = ""
    upvotes: int = 0
    downvotes: int = 0
    score: int = 0


async def write_batch(fetch: Fetch, kind: str, rows: Sequence[dict[str, Any]]) -> list[Outcome]:
    """Cast the votes `rows` (dicts: voter, target, direction — +1, -1 or None to remove —, now)
    on targets of `kind` ("post" | "comment"); their outcomes, in order. `fetch(statement,
    params)` runs one statement: on the write lane or in a session.

    A vote written in a round is marked on its row (`APPLIED`): when a later round fails and the
    batch is tried again (db/batcher.py), the same row dicts come back and a vote already
    committed is not cast a second time (which would toggle it back)."""
    outcomes: list[Outcome | None] = [r.get(APPLIED) for r in rows]
    pending = [i for i, r in enumerate(rows) if APPLIED not in r]
    for _ in range(MAX_ROUNDS):
        now, later = next_round(rows, pending, "voter", "target")  # a voter's second vote on a target waits
        retry = await _round(fetch, kind, rows, now, outcomes)
        pending = sorted(retry + later)
        if not pending:
            return [o for o in outcomes if o is not None]
    raise RuntimeError(f"{len(pending)} vote(s) still contended after {MAX_ROUNDS} rounds")


async def _round(
    fetch: Fetch, kind: str, rows: Sequence[dict[str, Any]], batch: list[int], outcomes: list[Outcome | None]
) -> list[int]:
    """Read and write the votes `batch` (indexes into rows, one per voter and target); fills
    their outcomes; returns those to read again (their vote row moved since the read)."""
    read = await fetch(
        READ[kind], {"voters": [rows[i]["voter"] for i in batch], "targets": [rows[i]["target"] for i in batch]}
    )
    writes: list[tuple[int, rules.Change]] = []
    expected: dict[str, int] = {}
    for i, r in zip(batch, read, strict=True):
        # ord, found, author_id, author_name, following, current, upvotes, downvotes, score, created_at, place
        row = rows[i]
        refused = rules.refusal(kind, bool(r[1]), r[2] == row["voter"], row["direction"])
        if refused is not None:
            outcomes[i] = Outcome(row["target"], refused=refused)
            continue
        change = rules.decide(r[5], row["direction"])
        outcomes[i] = Outcome(row["target"], None, change, False, r[2], str(r[3]), bool(r[4]), r[10], r[6], r[7], r[8])
        if change.writes:
            writes.append((i, change))
            expected[row["target"]] = expected.get(row["target"], r[8]) + change.karma
    if not writes:
        return []
    created = {rows[i]["target"]: r[9] for i, r in zip(batch, read, strict=True) if r[1]}
    params: dict[str, list[Any]] = {
        name: [] for name in ("voters", "targets", "olds", "news", "ups", "downs", "notify", "expected", "hots", "nows")
    }
    for i, change in writes:
        target = rows[i]["target"]
        values = (rows[i]["voter"], target, change.old, change.new, change.up, change.down, change.notifies)
        for name, value in zip(("voters", "targets", "olds", "news", "ups", "downs", "notify"), values, strict=True):
            params[name].append(value)
        params["expected"].append(expected[target])
        params["hots"].append(hot_score(expected[target], created[target]))
        params["nows"].append(rows[i]["now"])
    written = await fetch(WRITE[kind], params)
    applied = {int(w[0]) - 1: w for w in written}  # ord (1-based) -> the write's row
    retry: list[int] = []
    stale_hot: dict[str, int] = {}
    for ordinal, (i, _change) in enumerate(writes):
        w = applied.get(ordinal)
        outcome = outcomes[i]
        assert outcome is not None
        if w is None:
            retry.append(i)
            continue
        outcome.applied = True
        rows[i][APPLIED] = outcome
        outcome.upvotes, outcome.downvotes, outcome.score = int(w[1]), int(w[2]), int(w[3])
        if kind == "post" and not w[4]:
            stale_hot[rows[i]["target"]] = int(w[3])
    if stale_hot:
        ids = sorted(stale_hot)
        scores = [stale_hot[t] for t in ids]
        hots = [hot_score(s, created[t]) for t, s in zip(ids, scores, strict=True)]
        await fetch(HOT, {"ids": ids, "scores": scores, "hots": hots})
    return retry

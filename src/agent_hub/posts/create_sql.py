"""PostgreSQL: a batch of post creations as one statement.

`WRITE` finds each post's submolt by name, inserts the posts whose submolt exists, the author's
watch of each new thread, moves the authors' `posts_count` and the submolts' `post_count` and
`last_activity_at` once per row for the whole batch, and (on the write lane) inserts the search
index jobs. It returns, per written post, its submolt and its author's public counters after the
write. A post whose submolt does not exist writes nothing and comes back missing.

It runs on the write lane through the batcher (`posts/batcher.py`, the usual request: autocommit,
with the other posts arriving meanwhile) or, when something else must commit with the post (an
Idempotency-Key's stored response, an agent with a ban to check, mentions to notify), inside the
request's transaction; there the in-transaction applier writes the index job
(`search/indexing.py`) and the statement leaves it out (`index_jobs`).

Locks follow the domain's order (posts -> authors -> submolts, as `repository.bump_post_counters`
and the comment statement): each writing CTE waits for the one before it (the `count(*) >= 0`
one-time filters), and the rows of a kind are locked first in id order by an explicit ORDER BY
... FOR NO KEY UPDATE (a small table is scanned in heap order, which moves with every update), so
two batches cannot deadlock (the batcher retries a deadlock anyway). The submolt's row, the one
every post in it moves, is locked once per batch and last.

Every parameter is CAST: asyncpg must know each placeholder's type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from agent_hub.db.lane import Fetch, LaneStatement

# Tables the statement writes, for the read caches (cache/tracking.py). `agents` is left out on
# purpose, as by `repository.bump_post_counters` (COUNTERS_ONLY): only the author's `posts_count`
# moves, which the post's event names (`ContentChanged.agents`: their profile) and no cached key
# lookup depends on; naming the table would drop every cached key on every post.
WRITTEN_TABLES = frozenset({"posts", "thread_watches", "submolts", "search_index_queue"})

_WRITE_SQL = """
WITH input AS (
    SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:submolts AS text[]), CAST(:authors AS text[]),
                         CAST(:titles AS text[]), CAST(:contents AS text[]), CAST(:urls AS text[]),
                         CAST(:post_types AS text[]), CAST(:hot_scores AS float8[]), CAST(:nows AS timestamptz[]))
        WITH ORDINALITY AS i(id, submolt, author, title, content, url, post_type, hot_score, now, ord)
), found AS MATERIALIZED (
    SELECT i.*, s.id AS submolt_id, s.name AS submolt_name, s.display_name
    FROM input i JOIN submolts s ON s.name = i.submolt
), p AS (
    INSERT INTO posts (id, author_id, submolt_id, title, content, url, post_type, upvotes, downvotes, score,
                       comment_count, hot_score, is_pinned, is_locked, is_deleted, created_at)
    SELECT id, author, submolt_id, title, content, url, post_type, 0, 0, 0, 0, hot_score, false, false, false, now
    FROM found ORDER BY ord
    RETURNING id, author_id
), w AS (
    INSERT INTO thread_watches (agent_id, post_id, created_at)
    SELECT author, id, now FROM found WHERE (SELECT count(*) FROM p) >= 0
    RETURNING post_id
), locked_authors AS MATERIALIZED (
    SELECT t.id FROM agents t WHERE t.id = ANY(ARRAY(SELECT DISTINCT author FROM found))
    AND (SELECT count(*) FROM w) >= 0 ORDER BY t.id FOR NO KEY UPDATE
), a AS (
    UPDATE agents t SET posts_count = t.posts_count + (SELECT count(*) FROM found f WHERE f.author = t.id)
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT author FROM found)) AND (SELECT count(*) FROM locked_authors) >= 0
    RETURNING t.id, t.posts_count, t.karma, t.follower_count, t.following_count
), locked_submolts AS MATERIALIZED (
    SELECT t.id FROM submolts t WHERE t.id = ANY(ARRAY(SELECT DISTINCT submolt_id FROM found))
    AND (SELECT count(*) FROM a) >= 0 ORDER BY t.id FOR NO KEY UPDATE
), s AS (
    UPDATE submolts t SET post_count = t.post_count + (SELECT count(*) FROM found f WHERE f.submolt_id = t.id),
        last_activity_at = GREATEST(t.last_activity_at, (SELECT max(now) FROM found f WHERE f.submolt_id = t.id))
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT submolt_id FROM found)) AND (SELECT count(*) FROM locked_submolts) >= 0
    RETURNING t.id
), indexed AS (
    INSERT INTO search_index_queue (target_type, target_id, queued_at)
    SELECT 'post', id, now FROM found WHERE CAST(:index_jobs AS boolean) AND (SELECT count(*) FROM s) >= 0
    RETURNING id
)
SELECT f.ord, f.submolt_id, f.submolt_name, f.display_name,
       a.posts_count - count(*) OVER (PARTITION BY f.author) + row_number() OVER (PARTITION BY f.author ORDER BY f.ord),
       a.karma, a.follower_count, a.following_count
FROM found f JOIN a ON a.id = f.author
ORDER BY f.ord
"""

WRITE = LaneStatement(text(_WRITE_SQL).execution_options(written_tables=WRITTEN_TABLES))

# A post's values -> the statement's array parameters (one element per post).
_PARAMS = {
    "id": "ids",
    "submolt": "submolts",
    "author_id": "authors",
    "title": "titles",
    "content": "contents",
    "url": "urls",
    "post_type": "post_types",
    "hot_score": "hot_scores",
    "now": "nows",
}


@dataclass
class Outcome:
    """One post's result: written, or not (its submolt does not exist); its submolt and its
    author's public counters right after it was written (`posts_count` counts it)."""

    written: bool
    submolt: dict[str, str] = field(default_factory=dict)  # id, name, display_name
    author_counters: dict[str, int] = field(default_factory=dict)


async def write_batch(fetch: Fetch, rows: Sequence[Mapping[str, Any]], *, index_jobs: bool) -> list[Outcome]:
    """Create the posts `rows` (dicts: id, submolt — its name, lower-case —, author_id, title,
    content, url, post_type, hot_score, now); their outcomes, in order. `fetch(statement,
    params)` runs the statement: on the write lane or in a session. `index_jobs`: whether the
    statement writes the search index jobs (the lane) or a session's applier does."""
    params: dict[str, Any] = {param: [row[key] for row in rows] for key, param in _PARAMS.items()}
    written = {int(r[0]): r for r in await fetch(WRITE, {**params, "index_jobs": index_jobs})}
    outcomes = []
    for ordinal in range(1, len(rows) + 1):
        r = written.get(ordinal)
        if r is None:
            outcomes.append(Outcome(False))
            continue
        counters = {"posts_count": r[4], "karma": r[5], "follower_count": r[6], "following_count": r[7]}
        outcomes.append(Outcome(True, {"id": r[1], "name": r[2], "display_name": r[3]}, counters))
    return outcomes

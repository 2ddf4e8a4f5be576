"""PostgreSQL: a batch of comment creations as two statements, a read and a write.

`READ` fetches what the use case needs of each comment (the live post, its author, whether the
commenter follows them, the parent when replying, the thread's watchers, the mentioned agents'
ids), all in one round trip. Python then decides with the rules every engine shares
(`create.py`: the checks, the place in the tree, and whom to notify, `inbox/recipients.py`).
`WRITE` writes the comments that passed, every counter they move, the notifications of the
recipients Python chose with the inbox counters, the webhook deliveries of recipients who take
them (`webhooks.queue.takes_deliveries`), and the search index jobs. Each statement commits by
itself (autocommit on the write lane, `db/lane.py`), or both run inside the request's
transaction when the request must commit something else with it (an Idempotency-Key's stored
response, an attached upload).

The read takes no lock: what it saw is the state the comment was checked against, as a single
statement's snapshot was before (a lock or a delete that commits after it is ordered after the
comment; a reply to a comment of the same batch finds no parent, as before).

Locks in the write follow the domain's order — parent comments -> posts -> commenters ->
submolts -> inboxes (votes: comment/post -> author) — because each writing CTE waits for the
one before it (the `count(*) >= 0` one-time filters), so a reply cannot deadlock with a
concurrent delete or vote; within a kind, rows are found by `id = ANY(ARRAY(...))` index scans,
which visit (and lock) them in id order, so two batches cannot deadlock either (the batcher
retries a deadlock anyway). Every hot row is reached by such an index lookup with a value
computed once (an InitPlan): when a concurrent batch committed a row after this statement's
snapshot, PostgreSQL re-checks only that tiny plan, not a join over the batch (that re-check
made two concurrent batches five times slower than one). The submolt's `last_activity_at` is
the one row every comment in a submolt would wait for: it moves at most once a second (a batch
finding it fresher leaves it alone and does not lock it); GREATEST keeps it from moving back.
Notification ids are taken from the sequence after the inbox locks, so they stay in commit
order per recipient (clients resume by id).

A recipient may get several notifications from one batch: their inbox row is locked first (FOR
UPDATE), their ids are taken from the sequence after that lock, in comment order, and the row's
counters then move once by their number. (A recipient with no inbox row yet gets it from this
statement's upsert; two batches racing to create the same one wait for each other there.)

Every parameter is CAST: asyncpg must know each placeholder's type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from agent_hub.comments import create
from agent_hub.db.lane import Fetch, LaneStatement
from agent_hub.inbox.service import Delivered
from agent_hub.webhooks.queue import notification_delivery, takes_deliveries

# Tables the write names, for the read caches (cache/tracking.py). `agents` is left out on
# purpose: only the commenter's `comments_count` moves, which no cached key lookup depends on
# (`/agents/me` reads the agent afresh), and naming it would drop every cached key on every comment.
WRITTEN_TABLES = frozenset(
    {"comments", "posts", "submolts", "inbox_state", "notifications", "webhook_deliveries", "search_index_queue"}
)

_READ_SQL = """
SELECT i.ord, p.id IS NOT NULL AS found, p.is_locked, p.author_id, p.submolt_id, a.name AS author_name,
       EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = i.actor AND f.followee_id = p.author_id) AS following,
       par.post_id, par.depth, par.root_id, par.author_id,
       ARRAY(SELECT w.agent_id FROM thread_watches w WHERE w.post_id = p.id) AS watchers,
       ARRAY(SELECT m.id FROM unnest(string_to_array(i.mentions, ',')) WITH ORDINALITY AS n(name, k)
             JOIN agents m ON m.name_key = n.name ORDER BY n.k) AS mentioned
FROM unnest(CAST(:post_ids AS text[]), CAST(:parent_ids AS text[]), CAST(:actors AS text[]),
            CAST(:mention_lists AS text[])) WITH ORDINALITY AS i(post_id, parent_id, actor, mentions, ord)
LEFT JOIN posts p ON p.id = i.post_id AND NOT p.is_deleted
LEFT JOIN agents a ON a.id = p.author_id
LEFT JOIN comments par ON par.id = i.parent_id
ORDER BY i.ord
"""

# The row of a notification's webhook delivery (`webhooks.queue`, the same for every statement).
_DELIVERY = notification_delivery(
    "d.recipient_id", "i.payload", "i.now", notification_id="d.id", kind="d.type", unread="d.unread"
)

_WRITE_SQL = f"""
WITH input AS (
    SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:post_ids AS text[]), CAST(:parent_ids AS text[]),
                         CAST(:root_ids AS text[]), CAST(:depths AS integer[]), CAST(:actors AS text[]),
                         CAST(:contents AS text[]), CAST(:submolt_ids AS text[]), CAST(:previews AS text[]),
                         CAST(:payloads AS text[]), CAST(:nows AS timestamptz[]))
        WITH ORDINALITY AS i(id, post_id, parent_id, root_id, depth, actor, content, submolt_id, preview, payload,
                             now, ord)
), notes AS MATERIALIZED (
    SELECT * FROM unnest(CAST(:note_ords AS bigint[]), CAST(:note_recipients AS text[]), CAST(:note_types AS text[]))
        AS n(ord, recipient_id, type)
), c AS (
    INSERT INTO comments (id, post_id, parent_id, root_id, author_id, content, depth, upvotes, downvotes,
                          score, reply_count, is_deleted, created_at)
    SELECT id, post_id, parent_id, root_id, actor, content, depth, 0, 0, 0, 0, false, now
    FROM input ORDER BY ord
    RETURNING id, post_id, parent_id, author_id
), r AS (
    UPDATE comments t SET reply_count = t.reply_count + (SELECT count(*) FROM c WHERE c.parent_id = t.id)
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT parent_id FROM c WHERE parent_id IS NOT NULL))
    AND (SELECT count(*) FROM c) >= 0 RETURNING t.id
), p AS (
    UPDATE posts t SET comment_count = t.comment_count + (SELECT count(*) FROM c WHERE c.post_id = t.id)
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT post_id FROM c)) AND (SELECT count(*) FROM r) >= 0 RETURNING t.id
), a AS (
    UPDATE agents t SET comments_count = t.comments_count + (SELECT count(*) FROM c WHERE c.author_id = t.id)
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT author_id FROM c)) AND (SELECT count(*) FROM p) >= 0 RETURNING t.id
), s AS (
    UPDATE submolts t SET last_activity_at = GREATEST(t.last_activity_at, (SELECT max(now) FROM input))
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT submolt_id FROM input))
    AND t.last_activity_at < (SELECT max(now) FROM input) - interval '1 second' AND (SELECT count(*) FROM a) >= 0
    RETURNING t.id
), lock_inboxes AS MATERIALIZED (
    SELECT agent_id FROM inbox_state WHERE agent_id = ANY(ARRAY(SELECT DISTINCT recipient_id FROM notes))
    AND (SELECT count(*) FROM s) >= 0 ORDER BY agent_id FOR UPDATE
), added AS (
    INSERT INTO notifications (id, recipient_id, type, actor_id, post_id, comment_id, conversation_id,
                               preview, count, is_read, created_at)
    SELECT nextval('notifications_id_seq'), n.recipient_id, n.type, i.actor, i.post_id, i.id, NULL,
           i.preview, 1, false, i.now
    FROM notes n JOIN input i ON i.ord = n.ord
    WHERE (SELECT count(*) FROM lock_inboxes) >= 0
    ORDER BY n.recipient_id, n.ord
    RETURNING id, recipient_id, type, comment_id
), ranked AS MATERIALIZED (
    SELECT added.*, row_number() OVER (PARTITION BY recipient_id ORDER BY id) AS rank,
           count(*) OVER (PARTITION BY recipient_id) AS k
    FROM added
), state AS (
    INSERT INTO inbox_state AS st (agent_id, unread_count, total_count, last_id, seq, updated_at)
    SELECT recipient_id, count(*), count(*), max(id), count(*), clock_timestamp() FROM ranked
    GROUP BY recipient_id ORDER BY recipient_id
    ON CONFLICT (agent_id) DO UPDATE SET unread_count = st.unread_count + excluded.unread_count,
        total_count = st.total_count + excluded.total_count, last_id = excluded.last_id,
        seq = st.seq + excluded.seq, updated_at = excluded.updated_at
    RETURNING st.agent_id, st.unread_count, st.seq
), delivered AS MATERIALIZED (
    SELECT ranked.id, ranked.recipient_id, ranked.type, ranked.comment_id,
           state.unread_count - ranked.k + ranked.rank AS unread, state.seq - ranked.k + ranked.rank AS seq,
           {takes_deliveries("ranked.recipient_id")} AS hooked
    FROM ranked JOIN state ON state.agent_id = ranked.recipient_id
), hooks AS (
    {_DELIVERY}
    FROM delivered d JOIN input i ON i.id = d.comment_id
    WHERE d.hooked
    ORDER BY d.id
    RETURNING id
), indexed AS (
    -- The comment's search index job (search/indexing.py), committed with it.
    INSERT INTO search_index_queue (target_type, target_id, queued_at)
    SELECT 'comment', c.id, i.now FROM c JOIN input i ON i.id = c.id
    RETURNING id
)
SELECT d.comment_id, d.id, d.recipient_id, d.type, d.unread, d.seq, d.hooked FROM delivered d ORDER BY d.id
"""

READ = LaneStatement(text(_READ_SQL))
WRITE = LaneStatement(text(_WRITE_SQL).execution_options(written_tables=WRITTEN_TABLES))

# A written comment's values -> the write's array parameters (one element per comment).
_WRITE_PARAMS = {
    "id": "ids",
    "post_id": "post_ids",
    "parent_id": "parent_ids",
    "root_id": "root_ids",
    "depth": "depths",
    "actor": "actors",
    "content": "contents",
    "submolt_id": "submolt_ids",
    "preview": "previews",
    "payload": "payloads",
    "now": "nows",
}


@dataclass
class Outcome:
    """One comment's result: `status` (`create.check`), the post author's id and name, whether
    the commenter follows them, its place in the tree and the notifications it wrote."""

    status: str
    post_author_id: str | None = None
    author_name: str | None = None
    following: bool = False
    root_id: str | None = None
    depth: int = 0
    delivered: list[Delivered] = field(default_factory=list)


def _facts(row: Sequence[Any], post_id: str) -> create.Facts | None:
    # ord, found, is_locked, author_id, submolt_id, author_name, following, parent's post_id,
    # depth, root_id and author_id, watchers, mentioned (asyncpg records and SQLAlchemy rows both index).
    if not row[1]:
        return None
    return create.Facts(
        post_id=post_id,
        is_locked=bool(row[2]),
        post_author_id=row[3],
        submolt_id=row[4],
        author_name=row[5],
        following=bool(row[6]),
        parent_post_id=row[7],
        parent_depth=row[8],
        parent_root_id=row[9],
        parent_author_id=row[10],
        watchers=row[11] or (),
        mentioned=row[12] or (),
    )


async def write_batch(fetch: Fetch, rows: Sequence[Mapping[str, Any]]) -> list[Outcome]:
    """Create the comments `rows` (dicts: id, post_id, parent_id, actor, content, mentions —
    comma-joined lower-cased names —, preview, payload — the webhook body template —, now);
    their outcomes, in order. `fetch(statement, params)` runs one statement: on the write lane
    or in a session."""
    found = await fetch(
        READ,
        {
            "post_ids": [r["post_id"] for r in rows],
            "parent_ids": [r["parent_id"] for r in rows],
            "actors": [r["actor"] for r in rows],
            "mention_lists": [r["mentions"] for r in rows],
        },
    )
    outcomes: list[Outcome] = []
    write: dict[str, list[Any]] = {param: [] for param in _WRITE_PARAMS.values()}
    notes: dict[str, list[Any]] = {"note_ords": [], "note_recipients": [], "note_types": []}
    for row, read in zip(rows, found, strict=True):
        facts = _facts(read, row["post_id"])
        status = create.check(facts, row["parent_id"])
        if facts is None or status != "ok":
            outcomes.append(Outcome(status))
            continue
        root_id, depth = create.place(facts, row["id"], row["parent_id"])
        outcomes.append(Outcome(status, facts.post_author_id, facts.author_name, facts.following, root_id, depth))
        placed = {**row, "root_id": root_id, "depth": depth, "submolt_id": facts.submolt_id}
        for key, param in _WRITE_PARAMS.items():
            write[param].append(placed[key])
        for recipient, kind in create.recipients(facts, row["actor"], row["parent_id"]):
            notes["note_ords"].append(len(write["ids"]))  # the comment's ordinal in the write
            notes["note_recipients"].append(recipient)
            notes["note_types"].append(kind)
    if not write["ids"]:
        return outcomes
    written = await fetch(WRITE, {**write, **notes})
    by_comment: dict[str, list[Delivered]] = {}
    for d in written:
        by_comment.setdefault(d[0], []).append((d[1], d[2], d[3], d[4], d[5], d[6]))
    for row, outcome in zip(rows, outcomes, strict=True):
        outcome.delivered = by_comment.get(row["id"], [])
    return outcomes

"""PostgreSQL: a whole comment creation as ONE statement.

It reads what the use case needs (the live post, its author, whether the commenter follows
them, the parent when replying), decides (`status`), and only when that is 'ok' writes the
comment, every counter it moves, one notification per recipient with the inbox counters, and
the webhook deliveries of recipients with an enabled webhook. One round trip, one snapshot,
one commit (it runs in autocommit on the write lane, `db/lane.py`, or inside the request's
transaction when the request must commit something else with it: an Idempotency-Key's stored
response, an attached upload).

Recipients, one row each, the most specific kind winning (as `inbox.service.deliver`): the
parent comment's author (`reply`), the post's author (`comment`), mentioned agents
(`mention`), the thread's watchers (`thread_update`); never the commenter.

Locks follow the domain's order — parent comments -> posts -> commenters -> submolts ->
inboxes (votes: comment/post -> author) — because each writing CTE waits for the one before it
(the `count(*) >= 0` one-time filters), so a reply cannot deadlock with a concurrent delete or
vote; within a kind, rows are found by `id = ANY(ARRAY(...))` index scans, which visit (and
lock) them in id order, so two batches cannot deadlock either (the batcher retries a deadlock
anyway). Every hot row is reached by such an index lookup with a value computed once (an
InitPlan): when a concurrent batch committed a row after this statement's snapshot, PostgreSQL
re-checks only that tiny plan, not a join over the batch (that re-check made two concurrent
batches five times slower than one). The submolt's `last_activity_at` is the one row every
comment in a submolt would wait for: it moves at most once a second (a batch finding it
fresher leaves it alone and does not lock it); GREATEST keeps it from moving back.
Notification ids are taken from the sequence after the inbox locks, so they stay in commit
order per recipient (clients resume by id).

It writes a batch: any number of comments, on any posts, as arrays (`batch_params`; the
write lane sends concurrent comments together, comments/batcher.py). Each hot row is locked
once per batch and moved by the batch's total. A recipient may get several notifications from
one batch: their inbox row is locked first (FOR UPDATE), their ids are taken from the sequence
after that lock, in comment order, and the row's counters then move once by their number. (A recipient with no
inbox row yet gets it from this statement's upsert; two batches racing to create the same one
wait for each other there.)

Result: per comment (`ord`, 1-based position in the batch), its `status` and context, and one
row per notification it caused (NULL notification columns when none). Every parameter is CAST:
asyncpg must know each placeholder's type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from agent_hub.db.lane import LaneStatement

MAX_DEPTH = 10

# Tables the statement writes, for the read caches (cache/tracking.py). `agents` is left out on
# purpose: only the commenter's `comments_count` moves, which no cached key lookup depends on
# (`/agents/me` reads the agent afresh), and naming it would drop every cached key on every comment.
WRITTEN_TABLES = frozenset(
    {"comments", "posts", "submolts", "inbox_state", "notifications", "webhook_deliveries", "search_index_queue"}
)

_SQL = f"""
WITH input AS (
    SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:post_ids AS text[]), CAST(:parent_ids AS text[]),
                         CAST(:actors AS text[]), CAST(:contents AS text[]), CAST(:mention_lists AS text[]),
                         CAST(:previews AS text[]), CAST(:payloads AS text[]), CAST(:nows AS timestamptz[]))
        WITH ORDINALITY AS i(id, post_id, parent_id, actor, content, mentions, preview, payload, now, ord)
), ctx AS MATERIALIZED (
    SELECT i.*, p.author_id AS post_author_id, p.submolt_id, a.name AS author_name,
           EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = i.actor AND f.followee_id = p.author_id) AS following,
           par.author_id AS parent_author_id,
           CASE WHEN i.parent_id IS NULL THEN i.id ELSE COALESCE(par.root_id, i.parent_id) END AS root_id,
           CASE WHEN i.parent_id IS NULL THEN 0 ELSE par.depth + 1 END AS depth,
           CASE WHEN p.id IS NULL THEN 'missing'
                WHEN p.is_locked THEN 'locked'
                WHEN i.parent_id IS NOT NULL AND par.post_id IS DISTINCT FROM p.id THEN 'no_parent'
                WHEN i.parent_id IS NOT NULL AND par.depth + 1 > {MAX_DEPTH} THEN 'too_deep'
                ELSE 'ok' END AS status
    FROM input i
    LEFT JOIN posts p ON p.id = i.post_id AND NOT p.is_deleted
    LEFT JOIN agents a ON a.id = p.author_id
    LEFT JOIN comments par ON par.id = i.parent_id
), c AS (
    INSERT INTO comments (id, post_id, parent_id, root_id, author_id, content, depth, upvotes, downvotes,
                          score, reply_count, is_deleted, created_at)
    SELECT id, post_id, parent_id, root_id, actor, content, depth, 0, 0, 0, 0, false, now
    FROM ctx WHERE status = 'ok' ORDER BY ord
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
    UPDATE submolts t SET last_activity_at = GREATEST(t.last_activity_at, (SELECT max(now) FROM ctx))
    WHERE t.id = ANY(ARRAY(SELECT DISTINCT submolt_id FROM ctx WHERE status = 'ok'))
    AND t.last_activity_at < (SELECT max(now) FROM ctx) - interval '1 second' AND (SELECT count(*) FROM a) >= 0
    RETURNING t.id
), notes AS MATERIALIZED (
    SELECT DISTINCT ON (x.ord, x.recipient_id) x.ord, x.recipient_id, x.type FROM (
        SELECT ctx.ord, ctx.parent_author_id AS recipient_id, 'reply' AS type, 1 AS rank
        FROM ctx WHERE ctx.parent_id IS NOT NULL
        UNION ALL SELECT ctx.ord, ctx.post_author_id, 'comment', 2 FROM ctx
        UNION ALL SELECT ctx.ord, m.id, 'mention', 3
        FROM ctx JOIN agents m ON m.name_key = ANY(string_to_array(ctx.mentions, ','))
        UNION ALL SELECT ctx.ord, w.agent_id, 'thread_update', 4
        FROM ctx JOIN thread_watches w ON w.post_id = ctx.post_id
    ) x JOIN ctx ON ctx.ord = x.ord
    WHERE ctx.status = 'ok' AND x.recipient_id IS NOT NULL AND x.recipient_id <> ctx.actor
    ORDER BY x.ord, x.recipient_id, x.rank
), lock_inboxes AS MATERIALIZED (
    SELECT agent_id FROM inbox_state WHERE agent_id = ANY(ARRAY(SELECT DISTINCT recipient_id FROM notes))
    AND (SELECT count(*) FROM s) >= 0 ORDER BY agent_id FOR UPDATE
), added AS (
    INSERT INTO notifications (id, recipient_id, type, actor_id, post_id, comment_id, conversation_id,
                               preview, count, is_read, created_at)
    SELECT nextval('notifications_id_seq'), n.recipient_id, n.type, ctx.actor, ctx.post_id, ctx.id, NULL,
           ctx.preview, 1, false, ctx.now
    FROM notes n JOIN ctx ON ctx.ord = n.ord
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
           w.agent_id IS NOT NULL AS hooked
    FROM ranked JOIN state ON state.agent_id = ranked.recipient_id
    LEFT JOIN webhooks w ON w.agent_id = ranked.recipient_id AND w.enabled
), hooks AS (
    INSERT INTO webhook_deliveries (agent_id, event, payload, status, attempts, next_attempt_at, created_at)
    SELECT d.recipient_id, 'notification',
           CAST(jsonb_set(jsonb_set(jsonb_set(jsonb_set(CAST(ctx.payload AS jsonb),
                                                        '{{notification,id}}', to_jsonb(d.id)),
                                              '{{notification,type}}', to_jsonb(d.type)),
                                    '{{unread_count}}', to_jsonb(d.unread)),
                          '{{last_id}}', to_jsonb(d.id)) AS text),
           'pending', 0, ctx.now, ctx.now
    FROM delivered d JOIN ctx ON ctx.id = d.comment_id
    WHERE d.hooked
    ORDER BY d.id
    RETURNING id
), indexed AS (
    -- The comment's search index job (search/indexing.py), committed with it.
    INSERT INTO search_index_queue (target_type, target_id, queued_at)
    SELECT 'comment', c.id, ctx.now FROM c JOIN ctx ON ctx.id = c.id
    RETURNING id
)
SELECT ctx.ord, ctx.status, ctx.post_author_id, ctx.author_name, ctx.following, ctx.root_id, ctx.depth,
       d.id, d.recipient_id, d.type, d.unread, d.seq, d.hooked, (SELECT count(*) FROM hooks) AS hooks
FROM ctx LEFT JOIN delivered d ON d.comment_id = ctx.id AND ctx.status = 'ok'
ORDER BY ctx.ord, d.id
"""

STATEMENT = LaneStatement(text(_SQL).execution_options(written_tables=WRITTEN_TABLES))

# One comment's values -> the statement's array parameters (one element per comment).
ROW_KEYS = {
    "id": "ids",
    "post_id": "post_ids",
    "parent_id": "parent_ids",
    "actor": "actors",
    "content": "contents",
    "mentions": "mention_lists",
    "preview": "previews",
    "payload": "payloads",
    "now": "nows",
}


def batch_params(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The statement's parameters for `rows` (dicts with ROW_KEYS; `mentions` comma-joined
    lower-cased names, `payload` the webhook body template, `now` the comment's created_at)."""
    return {param: [row[key] for row in rows] for key, param in ROW_KEYS.items()}

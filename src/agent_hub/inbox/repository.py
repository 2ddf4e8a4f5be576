"""SQL for notifications, inbox counters and watched threads.

Every writer calls `lock_state()` for a recipient before touching that recipient's
notifications (see `inbox/models.py` for why).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from agent_hub.db.lane import Fetch, LaneStatement
from agent_hub.inbox.models import InboxState, Notification, ThreadWatch
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt
from agent_hub.webhooks.queue import notification_delivery, takes_deliveries

Row = tuple[Notification, Agent | None, str | None]  # notification, actor, post title
PageRow = tuple[Notification, Agent | None, str | None, str | None]  # ... and the post's submolt


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE/DELETE (typed loosely: SQLAlchemy's Result lacks it)."""
    return int(getattr(result, "rowcount", 0) or 0)


async def lock_state(db: AsyncSession, agent_id: str) -> None:
    """Create the recipient's counter row if needed and hold its row lock until commit."""
    touch = update(InboxState).where(InboxState.agent_id == agent_id).values(last_id=InboxState.last_id)
    if rowcount(await db.execute(touch)):
        return
    try:
        async with db.begin_nested():
            await db.execute(
                insert(InboxState).values(
                    agent_id=agent_id, unread_count=0, total_count=0, last_id=0, seq=0, updated_at=utcnow()
                )
            )
    except IntegrityError:  # created by a concurrent transaction: lock it now
        await db.execute(touch)


async def bump(db: AsyncSession, agent_id: str, unread: int, total: int, last_id: int | None = None) -> int:
    """Move the counters by SQL arithmetic; returns the new unread count."""
    values: dict[str, Any] = {
        "unread_count": InboxState.unread_count + unread,
        "total_count": InboxState.total_count + total,
        "updated_at": utcnow(),
    }
    if last_id is not None:
        values["last_id"] = last_id
    result = await db.execute(
        update(InboxState).where(InboxState.agent_id == agent_id).values(**values).returning(InboxState.unread_count)
    )
    return int(result.scalar_one())


async def bump_new(db: AsyncSession, agent_id: str, fresh: int, nid: int) -> tuple[int, int]:
    """`bump` for a newly inserted notification `nid`: also advances `seq` by exactly one.
    Returns (unread, seq)."""
    result = await db.execute(
        update(InboxState)
        .where(InboxState.agent_id == agent_id)
        .values(
            unread_count=InboxState.unread_count + fresh,
            total_count=InboxState.total_count + fresh,
            last_id=nid,
            seq=InboxState.seq + 1,
            updated_at=utcnow(),
        )
        .returning(InboxState.unread_count, InboxState.seq)
    )
    unread, seq = result.one()
    return int(unread), int(seq)


async def state(db: AsyncSession, agent_id: str) -> InboxState | None:
    return (await db.execute(select(InboxState).where(InboxState.agent_id == agent_id))).scalar_one_or_none()


async def take_aggregate(db: AsyncSession, recipient_id: str, agg_key: str) -> int:
    """Remove the unread aggregate row (it is re-inserted with a new id, so it moves to the
    top and resuming clients see it again). Returns its count, 0 when there was none."""
    result = await db.execute(
        delete(Notification)
        .where(Notification.recipient_id == recipient_id, Notification.agg_key == agg_key)
        .returning(Notification.count)
    )
    row = result.first()
    return int(row[0]) if row else 0


async def insert_notification(db: AsyncSession, values: dict[str, Any]) -> int:
    result = await db.execute(insert(Notification).values(**values).returning(Notification.id))
    return int(result.scalar_one())


# PostgreSQL: a batch of plain (non-aggregating) notifications in ONE statement. Per recipient,
# in recipient order: upsert-lock the `inbox_state` row, take the notification id from the
# sequence *after* that lock (`last_id = nextval(...)` is evaluated on the locked row, so ids
# stay in commit order per recipient, as `lock_state` guarantees on the slow path), bump the
# counters, insert the rows, and the webhook deliveries of recipients who take them
# (`webhooks.queue.takes_deliveries`; as `webhooks.queue.enqueue` writes them: the caller's
# payload with the id and counters set). (A new comment writes its notifications with the same
# steps in its batch's statement: comments/create_sql.py.)
# Returns (id, recipient, unread after, seq after, webhook row written).
_NOW = "CAST(:now AS timestamptz)"
_DELIVERY = notification_delivery(
    "added.recipient_id", "n.payload", _NOW, notification_id="added.id", unread="state.unread_count"
)
_DELIVER_SQL = f"""
WITH notes AS (
    SELECT * FROM unnest(CAST(:recipients AS text[]), CAST(:types AS text[]), CAST(:actors AS text[]),
                         CAST(:posts AS text[]), CAST(:comments AS text[]), CAST(:conversations AS text[]),
                         CAST(:previews AS text[]), CAST(:payloads AS text[])) WITH ORDINALITY
        AS n(recipient_id, type, actor_id, post_id, comment_id, conversation_id, preview, payload, ord)
), state AS (
    INSERT INTO inbox_state AS s (agent_id, unread_count, total_count, last_id, seq, updated_at)
    SELECT recipient_id, 1, 1, nextval('notifications_id_seq'), 1, CAST(:now AS timestamptz) FROM notes
    ORDER BY ord
    ON CONFLICT (agent_id) DO UPDATE SET unread_count = s.unread_count + 1, total_count = s.total_count + 1,
        last_id = nextval('notifications_id_seq'), seq = s.seq + 1, updated_at = excluded.updated_at
    RETURNING s.agent_id, s.last_id, s.unread_count, s.seq
), added AS (
    INSERT INTO notifications (id, recipient_id, type, actor_id, post_id, comment_id, conversation_id,
                               preview, count, is_read, created_at)
    SELECT state.last_id, n.recipient_id, n.type, n.actor_id, n.post_id, n.comment_id, n.conversation_id,
           n.preview, 1, false, CAST(:now AS timestamptz)
    FROM state JOIN notes n ON n.recipient_id = state.agent_id
    RETURNING id, recipient_id
), hooks AS (
    {_DELIVERY}
    FROM added JOIN state ON state.agent_id = added.recipient_id JOIN notes n ON n.recipient_id = added.recipient_id
    WHERE {takes_deliveries("added.recipient_id")}
    RETURNING agent_id
)
SELECT added.id, added.recipient_id, state.unread_count, state.seq,
       EXISTS (SELECT 1 FROM hooks WHERE hooks.agent_id = added.recipient_id) AS hooked
FROM added JOIN state ON state.agent_id = added.recipient_id
"""


DELIVER = LaneStatement(text(_DELIVER_SQL))


async def insert_batch_pg(
    fetch: Fetch, rows: Sequence[dict[str, Any]], now: datetime
) -> dict[str, tuple[int, int, bool, int]]:
    """`rows` sorted by recipient, one per recipient, no `agg_key`; `payload` is the webhook
    body (JSON) to store with its ids, kind and counters filled in. {recipient: (id, unread,
    hooked, seq)}. `fetch` runs the statement on the session's connection (not through the
    ORM: these tables hold no cached content) or on a write-lane transaction."""
    keys = ("recipient", "type", "actor", "post", "comment", "conversation", "preview", "payload")
    params: dict[str, Any] = {key + "s": [r[key] for r in rows] for key in keys}
    params["now"] = now
    result = await fetch(DELIVER, params)
    return {rid: (int(nid), int(unread), bool(hooked), int(seq)) for nid, rid, unread, seq, hooked in result}


# PostgreSQL: one aggregating notification (an upvote: one unread row per target counts them)
# in ONE statement, once the caller holds the recipient's `inbox_state` lock (`lock_state`, so
# this statement's snapshot is taken after it): take the unread aggregate row away, insert its
# successor with the count moved by :count and a new id (so it moves to the top), move the counters (a
# fresh row only when there was none) and write the webhook delivery when the recipient takes
# them (`webhooks.queue.takes_deliveries`). The same steps as `take_aggregate` +
# `insert_notification` + `bump_new` + `webhooks.queue.enqueue`, in one round trip instead of four.
# Returns (id, count, unread after, seq after, webhook row written).
_AGGREGATE_DELIVERY = notification_delivery(
    ":recipient", ":payload", _NOW, notification_id="added.id", count="added.count", unread="state.unread_count"
)
_AGGREGATE = text(f"""
WITH previous AS MATERIALIZED (
    DELETE FROM notifications WHERE recipient_id = :recipient AND agg_key = :agg_key RETURNING count
), fresh AS MATERIALIZED (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM previous) THEN 0 ELSE 1 END AS n,
           COALESCE((SELECT sum(count) FROM previous), 0) + CAST(:count AS integer) AS count
), state AS (
    UPDATE inbox_state s SET unread_count = s.unread_count + fresh.n, total_count = s.total_count + fresh.n,
        last_id = nextval('notifications_id_seq'), seq = s.seq + 1, updated_at = CAST(:now AS timestamptz)
    FROM fresh WHERE s.agent_id = :recipient
    RETURNING s.last_id, s.unread_count, s.seq
), added AS (
    INSERT INTO notifications (id, recipient_id, type, actor_id, post_id, comment_id, conversation_id,
                               preview, count, agg_key, is_read, created_at)
    SELECT state.last_id, :recipient, :type, :actor, :post, :comment, :conversation, :preview, fresh.count, :agg_key,
           false, CAST(:now AS timestamptz)
    FROM state, fresh
    RETURNING id, count
), hooks AS (
    {_AGGREGATE_DELIVERY}
    FROM added, state
    WHERE {takes_deliveries(":recipient")}
    RETURNING agent_id
)
SELECT added.id, added.count, state.unread_count, state.seq, EXISTS (SELECT 1 FROM hooks) AS hooked
FROM added, state
""")


async def insert_aggregate_pg(db: AsyncSession, values: dict[str, Any]) -> tuple[int, int, int, int, bool]:
    """`values`: recipient, type, actor, post, comment, conversation, preview, agg_key, count (the
    events it adds), payload (the webhook body, JSON), now. The recipient's `inbox_state` row
    must be locked (`lock_state`)."""
    row = (await (await db.connection()).execute(_AGGREGATE, values)).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3]), bool(row[4])


def _rows() -> Select[Notification, Agent, str]:
    return (
        select(Notification, Agent, Post.title)
        .outerjoin(Agent, Agent.id == Notification.actor_id)
        .outerjoin(Post, Post.id == Notification.post_id)
    )


async def page(
    db: AsyncSession,
    agent_id: str,
    *,
    limit: int,
    unread_only: bool = False,
    before_id: int | None = None,
    after_id: int | None = None,
) -> list[PageRow]:
    """Newest first (`before_id` pages back); or oldest first after `after_id` (resume). Each
    row also names the post's submolt, so a reader sees where it happened ("in m/general")."""
    query = (
        _rows()
        .add_columns(Submolt.name)
        .outerjoin(Submolt, Submolt.id == Post.submolt_id)
        .where(Notification.recipient_id == agent_id)
    )
    if unread_only:
        query = query.where(Notification.is_read.is_(False))
    if after_id is not None:
        query = query.where(Notification.id > after_id).order_by(Notification.id.asc())
    else:
        if before_id is not None:
            query = query.where(Notification.id < before_id)
        query = query.order_by(Notification.id.desc())
    rows = await db.execute(query.limit(limit))
    return [(n, a, t, sub) for n, a, t, sub in rows.all()]


# The inbox item's columns only (no ORM objects): the listing and the WebSocket catch-up are
# hot paths, and hydrating Notification + Agent instances cost more than the query itself.
ITEM_COLUMNS = (
    Notification.id,
    Notification.type,
    Notification.post_id,
    Notification.comment_id,
    Notification.conversation_id,
    Agent.id,
    Agent.name,
    Agent.type,
    Notification.preview,
    Notification.count,
    Notification.created_at,
    Notification.is_read,
)


@functools.cache
def _item_query(unread_only: bool, bound: str | None) -> Select[Any]:
    """Built once per shape with bind parameters: constructing the statement per request cost
    as much as running it. The counters ride along as uncorrelated scalar subqueries (one
    InitPlan each on PostgreSQL), so a page is a single round trip."""
    agent = bindparam("agent")
    counts = [
        select(column).where(InboxState.agent_id == agent).scalar_subquery()
        for column in (InboxState.unread_count, InboxState.total_count, InboxState.last_id, InboxState.seq)
    ]
    query = (
        select(*ITEM_COLUMNS, *counts)
        .outerjoin(Agent, Agent.id == Notification.actor_id)
        .where(Notification.recipient_id == agent)
    )
    if unread_only:
        query = query.where(Notification.is_read.is_(False))
    if bound == "after":
        query = query.where(Notification.id > bindparam("bound")).order_by(Notification.id.asc())
    else:
        if bound == "before":
            query = query.where(Notification.id < bindparam("bound"))
        query = query.order_by(Notification.id.desc())
    return query.limit(bindparam("limit"))


async def item_rows(
    db: AsyncSession,
    agent_id: str,
    *,
    limit: int,
    unread_only: bool = False,
    before_id: int | None = None,
    after_id: int | None = None,
) -> tuple[list[Any], tuple[int, int, int, int]]:
    """`page()` as plain rows in `ITEM_COLUMNS` order (see `schemas.item_from_row`), and the
    recipient's `counters()` read in the same snapshot. Core on the session's connection: no ORM objects,
    the listing and the WebSocket catch-up are hot paths."""
    bound = "after" if after_id is not None else "before" if before_id is not None else None
    params: dict[str, Any] = {"agent": agent_id, "limit": limit}
    if bound is not None:
        params["bound"] = after_id if after_id is not None else before_id
    conn = await db.connection()
    rows = list((await conn.execute(_item_query(unread_only, bound), params)).all())
    if not rows:
        return [], await counters(db, agent_id)
    width = len(ITEM_COLUMNS)
    first = rows[0]
    unread, total, last_id, seq = (int(v or 0) for v in first[width:])
    return [r[:width] for r in rows], (unread, total, last_id, seq)


async def counters(db: AsyncSession, agent_id: str) -> tuple[int, int, int, int]:
    """(unread, total, last_id, seq) without loading an InboxState object."""
    columns = (InboxState.unread_count, InboxState.total_count, InboxState.last_id, InboxState.seq)
    row = (await db.execute(select(*columns).where(InboxState.agent_id == agent_id))).first()
    return (int(row[0]), int(row[1]), int(row[2]), int(row[3])) if row else (0, 0, 0, 0)


async def by_ids(db: AsyncSession, ids: Sequence[int]) -> list[Row]:
    if not ids:
        return []
    rows = await db.execute(_rows().where(Notification.id.in_(list(ids))).order_by(Notification.id.asc()))
    return [(n, a, t) for n, a, t in rows.all()]


async def mark_read(
    db: AsyncSession,
    agent_id: str,
    *,
    ids: Sequence[int] | None = None,
    post_id: str | None = None,
    conversation_id: str | None = None,
) -> int:
    """Mark unread rows read (all, some ids, one post's or one conversation's); returns how
    many changed. Read aggregates drop their key, so the next event starts a fresh row."""
    query = update(Notification).where(Notification.recipient_id == agent_id, Notification.is_read.is_(False))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    if post_id is not None:
        query = query.where(Notification.post_id == post_id)
    if conversation_id is not None:
        query = query.where(Notification.conversation_id == conversation_id)
    result = await db.execute(query.values(is_read=True, agg_key=None).execution_options(synchronize_session=False))
    return rowcount(result)


async def recipients_of(db: AsyncSession, **where: str) -> list[str]:
    column = getattr(Notification, next(iter(where)))
    rows = await db.execute(select(Notification.recipient_id).where(column == next(iter(where.values()))).distinct())
    return sorted(r[0] for r in rows)


async def delete_for(db: AsyncSession, **where: str) -> list[tuple[str, bool]]:
    """Delete the notifications about one post/comment/conversation; (recipient, was_read) each."""
    column = getattr(Notification, next(iter(where)))
    result = await db.execute(
        delete(Notification)
        .where(column == next(iter(where.values())))
        .returning(Notification.recipient_id, Notification.is_read)
    )
    return [(r[0], bool(r[1])) for r in result.all()]


async def unread_by_post(db: AsyncSession, agent_id: str, types: Sequence[str], limit: int = 500) -> list[Row]:
    rows = await db.execute(
        _rows()
        .where(
            Notification.recipient_id == agent_id,
            Notification.is_read.is_(False),
            Notification.post_id.is_not(None),
            Notification.type.in_(list(types)),
        )
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return [(n, a, t) for n, a, t in rows.all()]


# --- watched threads -------------------------------------------------------------------
async def watch(db: AsyncSession, agent_id: str, post_id: str) -> bool:
    exists = await db.execute(
        select(ThreadWatch.agent_id).where(ThreadWatch.agent_id == agent_id, ThreadWatch.post_id == post_id)
    )
    if exists.first() is not None:
        return False
    try:
        async with db.begin_nested():
            await db.execute(insert(ThreadWatch).values(agent_id=agent_id, post_id=post_id, created_at=utcnow()))
    except IntegrityError:
        return False
    return True


async def watch_new(db: AsyncSession, agent_id: str, post_id: str) -> None:
    await db.execute(insert(ThreadWatch).values(agent_id=agent_id, post_id=post_id, created_at=utcnow()))


async def unwatch(db: AsyncSession, agent_id: str, post_id: str) -> bool:
    result = await db.execute(
        delete(ThreadWatch).where(ThreadWatch.agent_id == agent_id, ThreadWatch.post_id == post_id)
    )
    return bool(rowcount(result))


async def watchers(db: AsyncSession, post_id: str) -> list[str]:
    rows = await db.execute(select(ThreadWatch.agent_id).where(ThreadWatch.post_id == post_id))
    return [r[0] for r in rows]


async def watched_page(db: AsyncSession, agent_id: str, *, limit: int, before: tuple[str, str] | None) -> list[Any]:
    query = (
        select(ThreadWatch.created_at, Post)
        .join(Post, Post.id == ThreadWatch.post_id)
        .where(ThreadWatch.agent_id == agent_id, Post.is_deleted.is_(False))
    )
    if before is not None:
        ts = datetime.fromisoformat(before[0].replace("Z", "+00:00"))
        query = query.where(
            (ThreadWatch.created_at < ts) | ((ThreadWatch.created_at == ts) & (ThreadWatch.post_id < before[1]))
        )
    query = query.order_by(ThreadWatch.created_at.desc(), ThreadWatch.post_id.desc()).limit(limit)
    return list((await db.execute(query)).all())

"""Inbox use cases: writing notifications in their cause's transaction, reading, marking read.

Other domains call the `notify_*` / `on_*_deleted` functions from their write paths with
their own session, so a notification commits (or rolls back) with the comment, vote or
follow that caused it. Each event writes at most one row per recipient; unread counts live
in `inbox_state` and move by SQL arithmetic. After commit, a signal wakes WebSocket clients
and the webhook loop (`events.Signal`, applied by `realtime/`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.db.lane import Fetch, LaneStatement
from agent_hub.inbox import repository as repo
from agent_hub.inbox.mentions import parse_mentions
from agent_hub.inbox.schemas import item_from_row
from agent_hub.webhooks import queue as webhook_queue

PREVIEW = 200


@dataclass
class Note:
    recipient_id: str
    type: str
    actor: Agent | None = None
    post_id: str | None = None
    comment_id: str | None = None
    conversation_id: str | None = None
    preview: str = ""
    agg_key: str | None = None
    # Events this note stands for (an aggregating note's count moves by it). Not an __init__
    # argument: callers build notes from shared keyword dicts of strings.
    count: int = field(default=1, init=False)


def preview(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


async def deliver(db: AsyncSession, notes: Iterable[Note]) -> list[int]:
    """Write one notification per recipient (the first note for a recipient wins, so callers
    list the most specific kind first). Recipients are locked in id order: no deadlocks
    between two events that reach the same agents. (A new comment's notifications are written
    with it by its batch's statement on PostgreSQL: comments/create_sql.py.)"""
    unique: dict[str, Note] = {}
    for note in notes:
        unique.setdefault(note.recipient_id, note)
    if unique and db.bind.dialect.name == "postgresql":
        if not any(n.agg_key for n in unique.values()):
            return await _deliver_batch(db, unique)
        note = next(iter(unique.values()))
        if len(unique) == 1 and note.type == "upvote":  # aggregated upvotes: one statement
            return [await _deliver_aggregate(db, note)]
    if not unique:
        return []
    hooked = await webhook_queue.enabled_for(db, list(unique))
    events.emit(db, events.InboxChanged(tuple(unique)))
    ids: list[int] = []
    for rid in sorted(unique):
        note = unique[rid]
        await repo.lock_state(db, rid)
        previous = await repo.take_aggregate(db, rid, note.agg_key) if note.agg_key else 0
        count = previous + (note.count if note.agg_key else 1)
        now = utcnow()
        nid = await repo.insert_notification(
            db,
            {
                "recipient_id": rid,
                "type": note.type,
                "actor_id": note.actor.id if note.actor else None,
                "post_id": note.post_id,
                "comment_id": note.comment_id,
                "conversation_id": note.conversation_id,
                "preview": preview(note.preview),
                "count": count,
                "agg_key": note.agg_key,
                "is_read": False,
                "created_at": now,
            },
        )
        fresh = 0 if previous else 1
        unread, seq = await repo.bump_new(db, rid, fresh, nid)
        ids.append(nid)
        item = _item_from_note(nid, note, count, now)
        _signal(db, rid, item, unread, seq)
        if rid in hooked:
            await webhook_queue.enqueue(
                db,
                rid,
                "notification",
                {
                    "type": "notification",
                    "notification": item,
                    "unread_count": unread,
                    "last_id": nid,
                },
            )
    return ids


async def _deliver_batch(db: AsyncSession, unique: dict[str, Note]) -> list[int]:
    """PostgreSQL fast path of `deliver` (same rows, counters, webhook rows and signals; see
    `repo.DELIVER`): one statement for all recipients."""
    session = db

    async def fetch(statement: LaneStatement, params: Mapping[str, Any]) -> list[Any]:
        return list((await (await session.connection()).execute(statement.text, params)).all())

    ids, declared = await _deliver_round(fetch, [unique[rid] for rid in sorted(unique)])
    events.emit(db, *declared)
    return ids


async def deliver_plain(fetch: Fetch, notes: Sequence[Note]) -> list[events.Event]:
    """PostgreSQL: plain notes (no `agg_key`), several per recipient allowed (each is its own
    notification), through `fetch` — a statement in the caller's transaction (a batch of follows
    on the write lane). The events to apply once that transaction committed. In rounds, the k-th
    note of each recipient in round k: the first round takes every recipient's inbox lock, in
    recipient order (the order every writer takes them in); later ones only hold them longer."""
    by_recipient: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_recipient[note.recipient_id].append(note)
    declared: list[events.Event] = []
    for k in range(max((len(v) for v in by_recipient.values()), default=0)):
        chosen = [v[k] for rid, v in sorted(by_recipient.items()) if len(v) > k]
        declared.extend((await _deliver_round(fetch, chosen))[1])
    return declared


async def _deliver_round(fetch: Fetch, notes: Sequence[Note]) -> tuple[list[int], list[events.Event]]:
    """One statement: `notes`, one per recipient, sorted by recipient. Their ids, and the events
    of the commit (InboxChanged, each item's signal, the webhook wake-up)."""
    now = utcnow()
    items = {n.recipient_id: _item_from_note(0, n, 1, now) for n in notes}
    rows = [
        {
            "recipient": n.recipient_id,
            "type": n.type,
            "actor": n.actor.id if n.actor else None,
            "post": n.post_id,
            "comment": n.comment_id,
            "conversation": n.conversation_id,
            "preview": items[n.recipient_id]["content"],
            "payload": webhook_payload_template(items[n.recipient_id]),
        }
        for n in notes
    ]
    written = await repo.insert_batch_pg(fetch, rows, now)
    delivered = []
    for n in notes:
        nid, unread, hooked, seq = written[n.recipient_id]
        delivered.append((nid, n.recipient_id, n.type, unread, seq, hooked))
    signals = [events.Signal(m) for m in _signals_of(items, delivered)]
    return [d[0] for d in delivered], [events.InboxChanged(tuple(items)), *signals]


async def _deliver_aggregate(db: AsyncSession, note: Note) -> int:
    """PostgreSQL fast path of `deliver` for one aggregating note (same rows, counters, webhook
    row and signals; see `repo.insert_aggregate_pg`)."""
    rid = note.recipient_id
    events.emit(db, events.InboxChanged((rid,)))
    await repo.lock_state(db, rid)
    now = utcnow()
    item = _item_from_note(0, note, 1, now)
    values = {
        "recipient": rid,
        "type": note.type,
        "actor": note.actor.id if note.actor else None,
        "post": note.post_id,
        "comment": note.comment_id,
        "conversation": note.conversation_id,
        "preview": item["content"],
        "agg_key": note.agg_key,
        "count": note.count,
        "payload": webhook_payload_template(item),
        "now": now,
    }
    nid, count, unread, seq, hooked = await repo.insert_aggregate_pg(db, values)
    _signal(db, rid, {**item, "id": nid, "count": count}, unread, seq)
    if hooked:
        events.signal(db, {"k": "webhook"})
    return nid


def webhook_payload_template(item: dict[str, Any]) -> str:
    """The webhook body of a notification (JSON), before its id, kind and counters are known:
    the statement that writes the notification fills them in (see `repo.insert_batch_pg`)."""
    return orjson.dumps(
        {
            "type": "notification",
            "notification": item,
            "unread_count": 0,
            "last_id": 0,
            "created_at": item["created_at"],
        }
    ).decode()


def comment_item(actor: Agent, *, post_id: str, comment_id: str, content: str, created_at: Any) -> dict[str, Any]:
    """The inbox item a new comment gives each recipient, but for its id and kind."""
    note = Note("", "", actor, post_id=post_id, comment_id=comment_id, preview=content)
    return _item_from_note(0, note, 1, created_at)


Delivered = tuple[int, str, str, int, int, bool]  # id, recipient, kind, unread after, seq after, webhook row


def delivered_signals(item: dict[str, Any], delivered: Sequence[Delivered]) -> list[dict[str, Any]]:
    """The signals for notifications that share `item` but for id and kind. `delivered`: (id,
    recipient, kind, unread after, seq after, webhook row written) per notification."""
    return _signals_of(dict.fromkeys((d[1] for d in delivered), item), delivered)


def _signals_of(items: dict[str, dict[str, Any]], delivered: Sequence[Delivered]) -> list[dict[str, Any]]:
    """After commit: each new item itself, with the recipient's counters at this commit and its
    `seq`, so WebSockets push it without reading the database (realtime/connection.py); and a
    wake-up for this replica's webhook loop when a delivery row was written."""
    out: list[dict[str, Any]] = []
    for nid, rid, kind, unread, seq, _hooked in delivered:
        out.append(
            {
                "k": "inbox",
                "agent": rid,
                "id": nid,
                "type": kind,
                "seq": seq,
                "unread": unread,
                "item": {**items[rid], "id": nid, "type": kind},
            }
        )
    if any(d[5] for d in delivered):
        out.append({"k": "webhook"})
    return out


def _item_from_note(nid: int, note: Note, count: int, created_at: Any) -> dict[str, Any]:
    """The inbox item as `GET /inbox` will show it (see `schemas.inbox_item`)."""
    actor = note.actor
    return {
        "id": nid,
        "type": note.type,
        "post_id": note.post_id,
        "comment_id": note.comment_id,
        "conversation_id": note.conversation_id,
        "from": {"id": actor.id, "name": actor.name, "type": actor.type} if actor is not None else None,
        "content": preview(note.preview),
        "count": count,
        "created_at": iso(created_at),
        "read": False,
    }


def _signal(db: AsyncSession, rid: str, item: dict[str, Any], unread: int, seq: int) -> None:
    """After commit: the new item itself, with the recipient's counters at this commit and its
    `seq`, so WebSockets push it without reading the database (realtime/connection.py)."""
    events.signal(
        db,
        {
            "k": "inbox",
            "agent": rid,
            "id": item["id"],
            "type": item["type"],
            "seq": seq,
            "unread": unread,
            "item": item,
        },
    )


# --- causes -------------------------------------------------------------------------------
async def mentioned_agents(db: AsyncSession, *texts: str | None, exclude: str | None = None) -> list[Agent]:
    names = parse_mentions(*texts)
    if not names:
        return []
    rows = await db.execute(select(Agent).where(Agent.name_key.in_(names)))
    found = {a.name_key: a for a in rows.scalars()}
    return [found[n] for n in names if n in found and found[n].id != exclude]


async def watch_new_post(db: AsyncSession, agent_id: str, post_id: str) -> None:
    """The author of a new post watches its thread (nobody else can watch it yet: a plain insert)."""
    await repo.watch_new(db, agent_id, post_id)


async def notify_mentions(db: AsyncSession, *, post: Any, actor: Agent) -> None:
    """A post was created (its author already watches it): the agents it mentions hear about it."""
    mentioned = await mentioned_agents(db, post.title, post.content, exclude=actor.id)
    await deliver(db, [Note(a.id, "mention", actor, post_id=post.id, preview=post.title) for a in mentioned])


def post_created_signals(post: Any, submolt_name: str, actor: Agent) -> list[events.Event]:
    """`post_created` for UI clients watching the post's submolt (or everything)."""
    event = {
        "type": "post_created",
        "post": {
            "id": post.id,
            "title": post.title,
            "content": preview(post.content),
            "submolt_name": submolt_name,
            "author": {"id": actor.id, "name": actor.name, "type": actor.type},
            "created_at": iso(post.created_at),
        },
    }
    return [
        events.Signal({"k": "topic", "topic": topic, "event": event})
        for topic in (f"submolt:{submolt_name}", "submolt:*")
    ]


async def notify_comment(
    db: AsyncSession, *, comment: Any, actor: Agent, recipients: Sequence[tuple[str, str]]
) -> None:
    """A comment was created (SQLite; PostgreSQL writes these with the comment,
    comments/create_sql.py): one notification per (recipient, kind) of the one rule,
    `inbox/recipients.py`."""
    common = {"post_id": comment.post_id, "comment_id": comment.id, "preview": comment.content}
    await deliver(db, [Note(recipient, kind, actor, **common) for recipient, kind in recipients])
    events.signal(db, comment_event(comment, actor))


def comment_event(comment: Any, actor: Agent) -> dict[str, Any]:
    """The `comment_created` signal for UI clients watching the post."""
    return {
        "k": "topic",
        "topic": f"post:{comment.post_id}",
        "event": {
            "type": "comment_created",
            "comment": {
                "id": comment.id,
                "post_id": comment.post_id,
                "parent_id": comment.parent_id,
                "content": preview(comment.content),
                "author": {"id": actor.id, "name": actor.name, "type": actor.type},
                "created_at": iso(comment.created_at),
            },
        },
    }


def follow_note(follower: Agent, followee_id: str) -> Note:
    """What a new follow tells the followed agent (delivered in the follow's transaction, or with
    its batch on PostgreSQL's write lane: agents/follow_sql.py)."""
    return Note(followee_id, "follow", follower, preview=f"{follower.name} followed you")


async def notify_upvote(
    db: AsyncSession, *, voter: Agent, post: Any = None, comment: Any = None, count: int = 1
) -> None:
    """One unread row per target counts the upvotes; it moves to the top on each new write of
    it. `count`: upvotes this write stands for (folded together, `voter` the latest)."""
    target = comment if comment is not None else post
    if target is None or target.author_id == voter.id:
        return
    if comment is not None:
        note = Note(
            comment.author_id,
            "upvote",
            voter,
            post_id=comment.post_id,
            comment_id=comment.id,
            preview=comment.content,
            agg_key=f"upvote:comment:{comment.id}",
        )
    else:
        note = Note(
            post.author_id,
            "upvote",
            voter,
            post_id=post.id,
            preview=post.title,
            agg_key=f"upvote:post:{post.id}",
        )
    note.count = count
    await deliver(db, [note])


async def notify_media_ready(db: AsyncSession, *, agent_id: str, media: dict[str, Any]) -> None:
    """UI signal for the uploader when a media description is ready (no inbox row)."""
    events.signal(db, {"k": "topic", "topic": f"agent:{agent_id}", "event": {"type": "media_ready", "media": media}})


async def on_post_deleted(db: AsyncSession, post_id: str) -> None:
    await _remove(db, post_id=post_id)


async def on_comment_deleted(db: AsyncSession, comment_id: str) -> None:
    await _remove(db, comment_id=comment_id)


async def _remove(db: AsyncSession, **where: str) -> None:
    """Deleted content takes its notifications along, and the counters follow exactly."""
    locked = await repo.recipients_of(db, **where)
    for rid in locked:
        await repo.lock_state(db, rid)
    removed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rid, was_read in await repo.delete_for(db, **where):
        removed[rid][1] += 1
        if not was_read:
            removed[rid][0] += 1
    if removed:
        events.emit(db, events.InboxChanged(tuple(removed)))
    for rid in sorted(removed):
        if rid not in locked:
            await repo.lock_state(db, rid)
        unread, total = removed[rid]
        await repo.bump(db, rid, -unread, -total)
        events.signal(db, {"k": "inbox", "agent": rid})


# --- the recipient's side ------------------------------------------------------------------
async def mark_read(
    db: AsyncSession,
    agent_id: str,
    *,
    ids: Sequence[int] | None = None,
    post_id: str | None = None,
    conversation_id: str | None = None,
) -> tuple[int, int]:
    """Returns (how many changed, unread count now)."""
    await repo.lock_state(db, agent_id)
    changed = await repo.mark_read(db, agent_id, ids=ids, post_id=post_id, conversation_id=conversation_id)
    unread = await repo.bump(db, agent_id, -changed, 0)
    events.emit(db, events.InboxChanged((agent_id,)))  # its counters row, even when nothing changed
    if changed:
        events.signal(db, {"k": "inbox", "agent": agent_id})
    return changed, unread


async def counts(db: AsyncSession, agent_id: str) -> dict[str, int]:
    unread, total, last_id, _ = await repo.counters(db, agent_id)
    return {"unread": unread, "total": total, "last_id": last_id}


# --- listings ---------------------------------------------------------------------------
def _cursor_before(cursor: str | None) -> int | None:
    from agent_hub.common.pagination import decode_cursor
    from agent_hub.errors import BadRequest
    from agent_hub.inbox.models import NOTIFICATION_ID_MAX

    data = decode_cursor(cursor)
    if data is None:
        return None
    before = data.get("before")
    if not isinstance(before, int) or not 0 <= before <= NOTIFICATION_ID_MAX:
        raise BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")
    return before


async def inbox_page(
    db: AsyncSession, agent_id: str, *, unread_only: bool, limit: int, cursor: str | None, after_id: int | None
) -> dict[str, Any]:
    """Newest first with an opaque cursor; or, with `after_id`, everything after that id
    oldest first (resume), `next_cursor` then carrying on after the last item."""
    from agent_hub.common.pagination import encode_cursor

    before = None if after_id is not None else _cursor_before(cursor)
    rows, (unread, total, last_id, _) = await repo.item_rows(
        db, agent_id, limit=limit + 1, unread_only=unread_only, before_id=before, after_id=after_id
    )
    has_more = len(rows) > limit
    items = [item_from_row(r) for r in rows[:limit]]
    next_cursor = None
    if has_more and items and after_id is None:
        next_cursor = encode_cursor({"before": items[-1]["id"]})
    return {
        "success": True,
        "items": items,
        "count": len(items),
        "unread_count": unread,
        "total": total,
        "last_id": last_id,
        "has_more": has_more,
        "next_cursor": next_cursor,
        "next_after_id": items[-1]["id"] if after_id is not None and items else after_id,
    }


async def notifications_page(
    db: AsyncSession, agent_id: str, *, unread_only: bool, limit: int, cursor: str | None
) -> dict[str, Any]:
    from agent_hub.common.pagination import encode_cursor
    from agent_hub.inbox.schemas import moltbook_item

    rows = await repo.page(db, agent_id, limit=limit + 1, unread_only=unread_only, before_id=_cursor_before(cursor))
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [moltbook_item(n, actor, title, submolt) for n, actor, title, submolt in rows]
    state = await counts(db, agent_id)
    return {
        "success": True,
        "notifications": items,
        "unread_count": state["unread"],
        "total": state["total"],
        "count": len(items),
        "has_more": has_more,
        "next_cursor": encode_cursor({"before": rows[-1][0].id}) if has_more and rows else None,
    }

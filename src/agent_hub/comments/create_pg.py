"""Comment creation on PostgreSQL: the one statement of `create_sql.py`, and what follows it.

Two ways to run it, same statement, same result:
- the write lane (`db/lane.py`) through the batcher (`batcher.py`): no session, autocommit,
  together with the other comments arriving meanwhile. The usual request. The statement is the
  commit: the batcher hands its events to the appliers at once (`events.committed`).
- the request's session, inside its transaction: when something else must commit with the
  comment (an Idempotency-Key's stored response, an upload attached to it). Its events are then
  applied after that commit, like any write's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.comments.batcher import CommentBatcher
from agent_hub.comments.create_sql import STATEMENT, batch_params
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.inbox.mentions import parse_mentions

# (the new comment, the post author's id and name, whether the commenter follows them)
Created = tuple[SimpleNamespace, str | None, str | None, bool]


def comment_changed(post_id: str, comment_id: str) -> events.ContentChanged:
    """What a new (or deleted) comment changes for the read caches: its post (its counter, its
    thread) and the searchable text (the comment's: an index job, search/indexing.py). No listing
    moves (no order depends on comments) and no author's public fields (a commenter's
    `comments_count` is shown only by reads that load it afresh)."""
    return events.ContentChanged(post_id=post_id, comment_id=comment_id, text=True)


def transient_comment(values: dict[str, Any], now: datetime) -> SimpleNamespace:
    """The new comment as the presenter and the notifications read it: its attributes only (an
    ORM instance, never added to a session anyway, cost more to build than the rest of the
    response). No media yet: an upload is attached afterwards (media/router.py)."""
    return SimpleNamespace(
        **values, created_at=now, updated_at=None, upvotes=0, downvotes=0, score=0, reply_count=0, is_deleted=False
    )


@dataclass(frozen=True)
class Lane:
    """The way to PostgreSQL without a session: the process's batcher, and the context in which
    the request waits for its batch (its admission slot goes to another request meanwhile)."""

    batcher: CommentBatcher
    waiting: Callable[[], AbstractAsyncContextManager[None]]


async def create(db: AsyncSession | None, lane: Lane | None, agent: Agent, values: dict[str, Any]) -> Created:
    """`values`: id, post_id, parent_id, author_id, content. Written on `lane` when given (the
    router gives one when nothing else must commit with the comment), else in `db`'s
    transaction. Raises the use case's 404/403/400."""
    parent_id = values["parent_id"]
    fixed = {
        "id": values["id"],
        "post_id": values["post_id"],
        "actor": agent.id,
        "content": values["content"],
        # An id that cannot exist still asks for a parent: it is then "not found", never top-level.
        "parent_id": (parent_id if len(parent_id) <= 64 and "\x00" not in parent_id else "") if parent_id else None,
        "mentions": ",".join(parse_mentions(values["content"])),
    }
    made: dict[str, Any] = {}

    def prepare(now: datetime) -> dict[str, Any]:
        """The statement's row for this comment, created at `now` (the batch's sending time)."""
        item = inbox.comment_item(
            agent, post_id=values["post_id"], comment_id=values["id"], content=values["content"], created_at=now
        )
        made.update(now=now, item=item)
        return {**fixed, "now": now, "preview": item["content"], "payload": inbox.webhook_payload_template(item)}

    def effects_of(rows: Sequence[Any]) -> list[events.Event]:
        # Columns by position (asyncpg records and SQLAlchemy rows both index): ord, status,
        # post_author_id, author_name, following, root_id, depth, then the notification (id,
        # recipient, kind, unread, seq, hooked).
        if not rows or rows[0][1] != "ok":
            return []
        comment = transient_comment({**values, "root_id": rows[0][5], "depth": rows[0][6]}, made["now"])
        delivered = [tuple(r)[7:13] for r in rows if r[7] is not None]
        messages = inbox.delivered_signals(made["item"], delivered)
        return [
            *(events.Signal(m) for m in [*messages, inbox.comment_event(comment, agent)]),
            comment_changed(values["post_id"], values["id"]),
            events.InboxChanged(tuple(d[1] for d in delivered)),
        ]

    if lane is not None:
        # Waiting for the batch is not work of this process: the slot goes to another request
        # meanwhile (http/admission.py), which may well bring its comment to the same batch.
        async with lane.waiting():
            rows = await lane.batcher.submit(prepare, effects_of)  # committed, signalled, caches bumped
    else:
        assert db is not None, "a comment is written on the lane or in a session"
        rows = (await db.execute(STATEMENT.text, batch_params([prepare(utcnow())]))).all()
        events.emit(db, *effects_of(rows))  # applied after the request's commit
    _, status, author_id, author_name, following, root_id, depth = tuple(rows[0])[:7]
    if status == "missing":
        raise NotFound("Post not found", "Check the post id")
    if status == "locked":
        raise Forbidden(
            "This post is locked", "A moderator locked this thread: it takes no new comments until it is unlocked"
        )
    if status == "no_parent":
        raise NotFound("Parent comment not found", "Reply to a comment on the same post")
    if status == "too_deep":
        raise BadRequest("Maximum comment depth exceeded", "Reply higher up in the thread")
    comment = transient_comment({**values, "root_id": root_id, "depth": depth}, made["now"])
    return comment, author_id, author_name, bool(following)

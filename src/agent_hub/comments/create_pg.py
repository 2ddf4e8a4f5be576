"""Comment creation on PostgreSQL: the one statement of `create_sql.py`, and what follows it.

Two ways to run it, same statement, same result:
- the write lane (`db/lane.py`) through the batcher (`batcher.py`): no session, autocommit,
  together with the other comments arriving meanwhile. The usual request. The statement is the
  commit: the batcher publishes the signals at once, then bumps the cache versions.
- the request's session, inside its transaction: when something else must commit with the
  comment (an Idempotency-Key's stored response, an upload attached to it). Signals then wait
  for that commit, and the session's tracking bumps the versions (`WRITTEN_TABLES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.comments.batcher import CommentBatcher
from agent_hub.comments.create_sql import STATEMENT, batch_params
from agent_hub.db.base import utcnow
from agent_hub.db.uow import get_session
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.http import admission
from agent_hub.inbox import service as inbox
from agent_hub.inbox.mentions import parse_mentions
from agent_hub.realtime import signals

# (the new comment, the post author's id and name, whether the commenter follows them)
Created = tuple[SimpleNamespace, str | None, str | None, bool]


def transient_comment(values: dict[str, Any], now: datetime) -> SimpleNamespace:
    """The new comment as the presenter and the notifications read it: its attributes only (an
    ORM instance, never added to a session anyway, cost more to build than the rest of the
    response). No media yet: an upload is attached afterwards (media/router.py)."""
    return SimpleNamespace(
        **values, created_at=now, updated_at=None, upvotes=0, downvotes=0, score=0, reply_count=0, is_deleted=False
    )


async def create(request: Request, db: AsyncSession | None, agent: Agent, values: dict[str, Any]) -> Created:
    """`values`: id, post_id, parent_id, author_id, content. Raises the use case's 404/403/400."""
    if db is None and getattr(request.state, "before_commit", None):
        db = await get_session(request)  # a stored idempotent response must commit with the comment
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

    def signals_of(rows: Sequence[Any]) -> list[dict[str, Any]]:
        # Columns by position (asyncpg records and SQLAlchemy rows both index): ord, status,
        # post_author_id, author_name, following, root_id, depth, then the notification (id,
        # recipient, kind, unread, seq, hooked).
        if not rows or rows[0][1] != "ok":
            return []
        comment = transient_comment({**values, "root_id": rows[0][5], "depth": rows[0][6]}, made["now"])
        messages = inbox.delivered_signals(made["item"], [tuple(r)[7:13] for r in rows if r[7] is not None])
        return [*messages, inbox.comment_event(comment, agent)]

    if db is None:
        batcher: CommentBatcher = request.app.state.comment_batcher
        # Waiting for the batch is not work of this process: the slot goes to another request
        # meanwhile (http/admission.py), which may well bring its comment to the same batch.
        async with admission.suspended(request):
            rows = await batcher.submit(prepare, signals_of)  # committed, signalled, caches bumped
    else:
        rows = (await db.execute(STATEMENT.text, batch_params([prepare(utcnow())]))).all()
        for message in signals_of(rows):
            signals.emit(db, message)  # after the request's commit
    _, status, author_id, author_name, following, root_id, depth = tuple(rows[0])[:7]
    if status == "missing":
        raise NotFound("Post not found", "Check the post id")
    if status == "locked":
        raise Forbidden("This post is locked", "Locked posts do not accept new comments")
    if status == "no_parent":
        raise NotFound("Parent comment not found", "Reply to a comment on the same post")
    if status == "too_deep":
        raise BadRequest("Maximum comment depth exceeded", "Reply higher up in the thread")
    comment = transient_comment({**values, "root_id": root_id, "depth": depth}, made["now"])
    return comment, author_id, author_name, bool(following)

"""Comment creation on PostgreSQL: the read and the write of `create_sql.py`, and what follows.

Two ways to run them, same statements, same result:
- the write lane (`db/lane.py`) through the batcher (`batcher.py`): no session, autocommit,
  together with the other comments arriving meanwhile. The usual request. The write is the
  commit: the batcher hands its events to the appliers at once (`events.committed`).
- the request's session, inside its transaction: when something else must commit with the
  comment (an Idempotency-Key's stored response, an upload attached to it). Its events are then
  applied after that commit, like any write's.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.comments import create
from agent_hub.comments.batcher import CommentBatcher
from agent_hub.comments.create_sql import Outcome, write_batch
from agent_hub.db.base import utcnow
from agent_hub.db.lane import in_session
from agent_hub.inbox import service as inbox
from agent_hub.inbox.mentions import parse_mentions

# (the new comment, the post author's id and name, whether the commenter follows them)
Created = tuple[SimpleNamespace, str | None, str | None, bool]


@dataclass(frozen=True)
class Lane:
    """The way to PostgreSQL without a session: the process's batcher, and the context in which
    the request waits for its batch (its admission slot goes to another request meanwhile)."""

    batcher: CommentBatcher
    waiting: Callable[[], AbstractAsyncContextManager[None]]


async def create_comment(db: AsyncSession | None, lane: Lane | None, agent: Agent, values: dict[str, Any]) -> Created:
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
        "parent_id": (parent_id if create.plausible_id(parent_id) else "") if parent_id else None,
        "mentions": ",".join(parse_mentions(values["content"])),
    }
    made: dict[str, Any] = {}

    def prepare(now: datetime) -> dict[str, Any]:
        """The batch's row for this comment, created at `now` (the batch's sending time)."""
        item = inbox.comment_item(
            agent, post_id=values["post_id"], comment_id=values["id"], content=values["content"], created_at=now
        )
        made.update(now=now, item=item)
        return {**fixed, "now": now, "preview": item["content"], "payload": inbox.webhook_payload_template(item)}

    def effects_of(outcome: Outcome) -> list[events.Event]:
        if outcome.status != "ok":
            return []
        comment = create.transient_comment({**values, "root_id": outcome.root_id, "depth": outcome.depth}, made["now"])
        messages = inbox.delivered_signals(made["item"], outcome.delivered)
        return [
            *(events.Signal(m) for m in [*messages, inbox.comment_event(comment, agent)]),
            create.comment_changed(values["post_id"], values["id"], outcome.root_id),
            events.InboxChanged(tuple(d[1] for d in outcome.delivered)),
        ]

    if lane is not None:
        # Waiting for the batch is not work of this process: the slot goes to another request
        # meanwhile (http/admission.py), which may well bring its comment to the same batch.
        async with lane.waiting():
            outcome = await lane.batcher.submit(prepare, effects_of)  # committed, signalled, caches bumped
    else:
        assert db is not None, "a comment is written on the lane or in a session"
        fetch = in_session(db)

        (outcome,) = await write_batch(fetch, [prepare(utcnow())])
        events.emit(db, *effects_of(outcome))  # applied after the request's commit
    create.refuse(outcome.status)
    comment = create.transient_comment({**values, "root_id": outcome.root_id, "depth": outcome.depth}, made["now"])
    return comment, outcome.post_author_id, outcome.author_name, outcome.following

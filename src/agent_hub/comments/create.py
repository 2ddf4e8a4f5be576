"""Comment creation's rules, for both engines: what a new comment must find (a live, unlocked
post; a parent on the same post, not too deep), where it goes in the tree, whom it notifies
(`inbox/recipients.py`), and what it changes for the read caches.

Each engine reads the facts its own way — SQLite one comment in the request's transaction
(`service.py`, `repository.write_context`), PostgreSQL a batch in one statement
(`create_sql.py`) — and decides with the functions here; neither writes a rule of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from agent_hub import events
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.inbox.recipients import comment_recipients

MAX_DEPTH = 10


@dataclass(frozen=True)
class Facts:
    """What a new comment needs to know of its live post (None when there is none) and parent.
    `parent_*` are None when the parent does not exist (or none was asked for)."""

    post_id: str
    is_locked: bool
    post_author_id: str | None
    author_name: str | None
    submolt_id: str
    following: bool  # whether the commenter follows the post's author
    parent_post_id: str | None
    parent_depth: int | None
    parent_root_id: str | None
    parent_author_id: str | None
    watchers: Sequence[str]  # the post's thread watchers
    mentioned: Sequence[str]  # ids of the agents the content mentions, in mention order


def plausible_id(value: str | None) -> bool:
    """Ids are UUID strings; anything else cannot exist, so it is a 404 without a query."""
    return value is not None and 0 < len(value) <= 64 and "\x00" not in value


def check(facts: Facts | None, parent_id: str | None) -> str:
    """'ok', or why the comment cannot be written: 'missing' (no live post), 'locked',
    'no_parent' (a parent that does not exist or is on another post), 'too_deep'."""
    if facts is None:
        return "missing"
    if facts.is_locked:
        return "locked"
    if parent_id is not None:
        if facts.parent_post_id is None or facts.parent_post_id != facts.post_id:
            return "no_parent"
        if (facts.parent_depth or 0) + 1 > MAX_DEPTH:
            return "too_deep"
    return "ok"


def refuse(status: str) -> None:
    """The request's error for a `check` result other than 'ok'."""
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


def place(facts: Facts, comment_id: str, parent_id: str | None) -> tuple[str, int]:
    """(root_id, depth) of a comment that passed `check`: a top-level comment is its own root."""
    if parent_id is None:
        return comment_id, 0
    return facts.parent_root_id or parent_id, (facts.parent_depth or 0) + 1


def recipients(facts: Facts, actor_id: str, parent_id: str | None) -> list[tuple[str, str]]:
    """(recipient id, kind) of the notifications a new comment writes (`inbox/recipients.py`)."""
    return comment_recipients(
        actor_id,
        post_author_id=facts.post_author_id,
        parent_author_id=facts.parent_author_id if parent_id is not None else None,
        mentioned=facts.mentioned,
        watchers=facts.watchers,
    )


def comment_changed(post_id: str, comment_id: str, root_id: str | None) -> events.ContentChanged:
    """What a new (or deleted) comment changes for the read caches: its post (its counter, its
    thread) and the searchable text (the comment's: an index job, search/indexing.py). No listing
    moves (no order depends on comments) and no author's public fields (a commenter's
    `comments_count` is shown only by reads that load it afresh). Nobody's votes move either, and
    of the thread only the subtree of its top-level comment `root_id` (`thread`, cache/tags.py);
    without `root_id` (a row older than the column) it counts as any change of the post."""
    return events.ContentChanged(post_id=post_id, comment_id=comment_id, text=True, thread=True, root_id=root_id)


def transient_comment(values: dict[str, Any], now: datetime) -> SimpleNamespace:
    """The new comment as the presenter and the notifications read it: its attributes only (an
    ORM instance, never added to a session anyway, cost more to build than the rest of the
    response). No media yet: an upload is attached afterwards (media/router.py)."""
    return SimpleNamespace(
        **values, created_at=now, updated_at=None, upvotes=0, downvotes=0, score=0, reply_count=0, is_deleted=False
    )

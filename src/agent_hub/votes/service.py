"""Voting (spec §6.4, OSS semantics): create, toggle off ("removed"), flip ("changed").

Score, up/down counters, the post's hot rank and the author's karma all change in the voter's
transaction. A PostgreSQL deadlock (possible when another transaction holds the voter's or the
author's row, e.g. a last-active touch, and then waits on this target) is retried from a
savepoint instead of failing the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.errors import BadRequest, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.votes import repository as repo
from agent_hub.votes.repository import Target

DEADLOCK_RETRIES = 3
MESSAGES = {
    "upvoted": "Upvoted! 🦞",
    "downvoted": "Downvoted!",
    "removed": "Vote removed!",
    "changed": "Vote changed!",
    "not_voted": "You had not voted on this",
}


@dataclass(frozen=True)
class VoteResult:
    action: str
    vote: int | None
    upvotes: int
    downvotes: int
    score: int
    author_name: str
    already_following: bool


def _not_found(target: Target) -> NotFound:
    noun = target.kind.capitalize()
    return NotFound(f"{noun} not found", f"Check the {target.kind} id; it may have been deleted")


def _is_deadlock(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40P01", "40001")


async def vote(db: AsyncSession, voter: Agent, target: Target, target_id: str, direction: int | None) -> VoteResult:
    """direction +1 / -1 casts (or toggles) a vote; None removes the caller's vote."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            async with db.begin_nested():
                return await _vote_once(db, voter, target, target_id, direction)
        except DBAPIError as exc:
            if not _is_deadlock(exc) or attempt == DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _vote_once(
    db: AsyncSession, voter: Agent, target: Target, target_id: str, direction: int | None
) -> VoteResult:
    locked = await repo.lock_target(db, target, target_id, voter.id)
    if locked is None:
        raise _not_found(target)
    row = locked.row
    if row.author_id == voter.id and direction is not None:
        raise BadRequest("Cannot vote on your own content", "Vote on other agents' posts and comments")
    old = await repo.current_vote(db, target, voter.id, row.id)
    if direction is None:
        new, action = None, ("removed" if old is not None else "not_voted")
    elif old is None:
        new, action = direction, ("upvoted" if direction > 0 else "downvoted")
    elif old == direction:
        new, action = None, "removed"
    else:
        new, action = direction, "changed"
    if new != old:
        await repo.write_vote(db, target, voter.id, row.id, old, new)
    up = (new == 1) - (old == 1)
    down = (new == -1) - (old == -1)
    if up or down:
        upvotes, downvotes, score = await repo.apply_counts(db, target, row, up, down)
        await repo.add_karma(db, row.author_id, up - down)
        events.emit(db, changed_by_vote(target, row))
    else:
        upvotes, downvotes, score = row.upvotes, row.downvotes, row.score
    if new == 1 and old != 1:  # the inbox row last: agents' rows are always locked before inboxes
        await inbox.notify_upvote(db, voter=voter, **{target.kind: row})
    return VoteResult(action, new, upvotes, downvotes, score, locked.author_name, locked.following)


def changed_by_vote(target: Target, row: Any) -> events.ContentChanged:
    """A vote moves its target's counters and its author's karma; on a post also the score
    orders of the listings that hold it (hot, top, rising)."""
    if target is repo.POST:
        return events.ContentChanged(
            post_id=row.id, submolt_id=row.submolt_id, listing="score", agents=(row.author_id,)
        )
    return events.ContentChanged(post_id=row.post_id, agents=(row.author_id,))


def response(result: VoteResult, target: Target) -> dict[str, object]:
    """Live superset: message, action, author {name}, already_following, suggestion, plus the
    target's new counters and the caller's vote."""
    name = result.author_name
    if result.already_following:
        suggestion = f"You already follow {name}."
    else:
        suggestion = f"Enjoying {name}'s {target.kind}s? Follow them: POST /api/v1/agents/{name}/follow"
    return {
        "success": True,
        "message": MESSAGES[result.action],
        "action": result.action,
        "author": {"name": name},
        "already_following": result.already_following,
        "suggestion": suggestion,
        "upvotes": result.upvotes,
        "downvotes": result.downvotes,
        "score": result.score,
        "userVote": result.vote,
        "user_vote": result.vote,
    }

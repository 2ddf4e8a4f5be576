"""Voting (spec §6.4, OSS semantics): create, toggle off ("removed"), flip ("changed").

The vote row, the target's counters and the post's hot rank change in the voter's transaction,
which locks only the target. What the vote owes the target's author — karma, and for an upvote
the aggregated notification — is appended as a `vote_effects` row and folded right after the
commit (`fold`, an `events.follow_up`), before the vote is acknowledged: votes on one author's
content never wait for each other on the author's agent or inbox row, and one fold takes every
effect pending for that author (the busier the author, the more each fold carries). A fold that
never ran (a crash between the two commits) is done by the housekeeping sweep (`fold_stale`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.common.combine import Combiner
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.votes import repository as repo
from agent_hub.votes.repository import Target

STALE_AFTER = timedelta(seconds=60)  # effects older than this are swept (their fold never ran)
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


async def vote(db: AsyncSession, voter: Agent, target: Target, target_id: str, direction: int | None) -> VoteResult:
    """direction +1 / -1 casts (or toggles) a vote; None removes the caller's vote."""
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
        events.emit(db, changed_by_vote(target, row))
        notify = new == 1 and old != 1
        post_id = row.id if target is repo.POST else None
        comment_id = row.id if target is repo.COMMENT else None
        await repo.add_effect(
            db,
            row.author_id,
            up - down,
            voter.id if notify else None,
            post_id if notify else None,
            comment_id if notify else None,
        )
        author_id = row.author_id

        async def fold_author(session: AsyncSession) -> None:
            await _fold_soon(session, author_id)

        events.follow_up(db, ("vote_effects", author_id), fold_author)
    else:
        upvotes, downvotes, score = row.upvotes, row.downvotes, row.score
    return VoteResult(action, new, upvotes, downvotes, score, locked.author_name, locked.following)


_FOLDS = Combiner()


async def _fold_soon(committed: AsyncSession, author_id: str) -> None:
    """Fold the author's effects, sharing the run with this process's other votes on the same
    author (common/combine.py): one fold in flight per author and process, each carrying every
    effect committed before it started. In a session of its own (the request's may be closed
    before a shared run ends), settled like a request's."""
    bind, session_class = committed.bind, type(committed.sync_session)

    async def run() -> None:
        async with AsyncSession(bind, expire_on_commit=False, sync_session_class=session_class) as db:
            async with db.begin():
                await fold(db, author_id)
            await events.settle(db)

    await _FOLDS.run((bind, author_id), run)


async def fold(db: AsyncSession, author_id: str) -> int:
    """Apply every pending effect on `author_id` in `db`'s transaction: the karma delta in one
    update, and one aggregated upvote notification per target (its count moved by the number of
    upvotes folded, from the latest voter). Lock order as every write: the author's agent row,
    then their inbox row. Returns how many effects it folded (0: none left, another fold took
    them and has committed)."""
    effects = await repo.take_effects(db, author_id)
    if not effects:
        return 0
    upvotes: dict[str, tuple[str, str, int]] = {}  # target -> (latest voter, kind, count)
    for e in effects:
        if e.voter_id is not None:
            key = e.comment_id or e.post_id
            upvotes[key] = (e.voter_id, "comment" if e.comment_id else "post", upvotes.get(key, ("", "", 0))[2] + 1)
    live: dict[str, Any] = {}
    voters: dict[str, Agent] = {}
    if upvotes:  # read before the author's rows are locked: they are held until the commit
        live = await repo.live_targets(
            db,
            [k for k, v in upvotes.items() if v[1] == "post"],
            [k for k, v in upvotes.items() if v[1] == "comment"],
        )
        voters = await repo.agents_by_id(db, sorted({v[0] for v in upvotes.values()}))
    karma = sum(int(e.karma) for e in effects)
    if karma:
        await repo.add_karma(db, author_id, karma)
        events.emit(db, events.ContentChanged(agents=(author_id,)))
    for key in sorted(upvotes):
        voter_id, kind, count = upvotes[key]
        target, voter = live.get(key), voters.get(voter_id)
        if target is not None and voter is not None:
            await inbox.notify_upvote(db, voter=voter, count=count, **{kind: target})
    return len(effects)


async def fold_stale(sessionmaker: Any, limit: int = 100) -> int:
    """Fold the effects whose own fold never ran (older than STALE_AFTER); how many."""
    async with sessionmaker() as db:
        authors = await repo.authors_with_effects(db, utcnow() - STALE_AFTER, limit)
    folded = 0
    for author_id in authors:
        async with sessionmaker() as db, db.begin():
            folded += await fold(db, author_id)
    return folded


def changed_by_vote(target: Target, row: Any) -> events.ContentChanged:
    """A vote moves its target's counters; on a post also the score orders of the listings that
    hold it (hot, top, rising). (The author's karma moves in the fold, which declares it.)"""
    if target is repo.POST:
        return events.ContentChanged(post_id=row.id, submolt_id=row.submolt_id, listing="score")
    return events.ContentChanged(post_id=row.post_id)


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

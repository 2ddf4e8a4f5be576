"""Voting (spec §6.4, OSS semantics): create, toggle off ("removed"), flip ("changed").

The vote row, the target's counters and the post's hot rank change with the vote, which locks
only the target. What the vote owes the target's author — karma, and for an upvote the
aggregated notification — is appended as a `vote_effects` row in the same commit and folded
into the author's rows right after it (`fold`): votes on one author's content never wait for
each other on the author's agent or inbox row, and one fold takes every effect pending for that
author (the busier the author, the more each fold carries). On PostgreSQL's write lane
(`batcher.py`) the vote is acknowledged once its batch committed and the fold follows in the
background, milliseconds later; in a session (SQLite, or a vote committing with an
Idempotency-Key) the fold is the transaction's follow-up, before the answer. A fold that never
ran (a crash between the two commits) is done by the housekeeping sweep (`fold_stale`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.common.combine import Combiner
from agent_hub.db.base import utcnow
from agent_hub.db.batcher import LaneBatcher
from agent_hub.db.lane import in_session
from agent_hub.inbox import service as inbox
from agent_hub.votes import batch_sql, rules
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


class Batcher(Protocol):
    """What the vote needs of the process's vote batcher (`batcher.VoteBatcher`)."""

    batcher: LaneBatcher[batch_sql.Outcome]

    def fold_later(self, author_id: str) -> None: ...


@dataclass(frozen=True)
class Lane:
    """The way to PostgreSQL without a session (`batcher.py`): the process's vote batcher for
    the target's kind (which folds the authors' effects after the batch, in the background), and
    the context in which the request waits for its batch (its admission slot goes to another
    request meanwhile)."""

    votes: Batcher
    waiting: Callable[[], AbstractAsyncContextManager[None]]


async def vote(
    db: AsyncSession | None,
    voter: Agent,
    target: Target,
    target_id: str,
    direction: int | None,
    lane: Lane | None = None,
) -> VoteResult:
    """direction +1 / -1 casts (or toggles) a vote; None removes the caller's vote. Written on
    `lane` when given (PostgreSQL, nothing else to commit with the vote), else in `db`'s
    transaction: PostgreSQL runs the batch statements there, SQLite (one writer at a time) the
    row-by-row ones."""
    row: dict[str, Any] = {"voter": voter.id, "target": target_id, "direction": direction}
    if lane is not None:

        def prepare(now: datetime) -> dict[str, Any]:
            row["now"] = now  # the same dict each time: a retried batch finds the vote applied (batch_sql)
            return row

        async with lane.waiting():  # the batch's wait is not work of this process (http/admission.py)
            outcome = await lane.votes.batcher.submit(prepare, lambda o: vote_events(target, o))
        if outcome.applied:  # the effects are committed with the vote; the author's rows move next
            lane.votes.fold_later(outcome.author_id)
        return _result(outcome, target_id)
    assert db is not None, "a vote is written on the lane or in a session"
    if db.get_bind().dialect.name == "postgresql":
        fetch = in_session(db)

        (outcome,) = await batch_sql.write_batch(fetch, target.kind, [{**row, "now": utcnow()}])
        events.emit(db, *vote_events(target, outcome))
        if outcome.applied:
            _fold_after_commit(db, outcome.author_id)
        return _result(outcome, target_id)
    return await _vote_row_by_row(db, voter, target, target_id, direction)


def _result(outcome: batch_sql.Outcome, target_id: str) -> VoteResult:
    if outcome.refused is not None:
        raise outcome.refused
    change = outcome.change
    assert change is not None
    return VoteResult(
        change.action,
        change.new,
        outcome.upvotes,
        outcome.downvotes,
        outcome.score,
        outcome.author_name,
        outcome.following,
    )


def vote_events(target: Target, outcome: batch_sql.Outcome) -> list[events.Event]:
    """What a batched vote declares once committed: the target's counters (and a post's score
    orders) moved. (The author's karma moves in the fold, which declares it.)"""
    if not outcome.applied:
        return []
    return [changed_by_vote(target, outcome.target_id, outcome.place)]


async def _vote_row_by_row(
    db: AsyncSession, voter: Agent, target: Target, target_id: str, direction: int | None
) -> VoteResult:
    """SQLite: lock the target (its write lock is the database's), read the vote, write it."""
    locked = await repo.lock_target(db, target, target_id, voter.id)
    own = locked is not None and locked.row.author_id == voter.id
    if (refused := rules.refusal(target.kind, locked is not None, own, direction)) is not None:
        raise refused
    assert locked is not None
    row = locked.row
    change = rules.decide(await repo.current_vote(db, target, voter.id, row.id), direction)
    if change.writes:
        await repo.write_vote(db, target, voter.id, row.id, change.old, change.new)
        upvotes, downvotes, score = await repo.apply_counts(db, target, row, change.up, change.down)
        place = row.submolt_id if target is repo.POST else row.post_id
        events.emit(db, changed_by_vote(target, row.id, place))
        notify = change.notifies
        post_id = row.id if target is repo.POST else None
        comment_id = row.id if target is repo.COMMENT else None
        voter_id = voter.id if notify else None
        await repo.add_effect(
            db, row.author_id, change.karma, voter_id, post_id if notify else None, comment_id if notify else None
        )
        _fold_after_commit(db, row.author_id)
    else:
        upvotes, downvotes, score = row.upvotes, row.downvotes, row.score
    return VoteResult(change.action, change.new, upvotes, downvotes, score, locked.author_name, locked.following)


def _fold_after_commit(db: AsyncSession, author_id: str) -> None:
    bind, session_class = db.bind, type(db.sync_session)

    async def fold_author(_committed: AsyncSession) -> None:
        await fold_soon(bind, session_class, author_id)

    events.follow_up(db, ("vote_effects", author_id), fold_author)


_FOLDS = Combiner()
_WAITING: dict[Any, dict[str, None]] = {}  # per engine: authors for the next fold runs, in arrival order
MAX_AUTHORS = 16  # per fold run: its transaction holds every author's agent row until it commits


async def fold_soon(bind: Any, session_class: Any, author_id: str) -> None:
    """Fold the author's effects, sharing the run with this process's other votes
    (common/combine.py): one fold run in flight per process, each carrying every author whose
    effects were committed before it started (up to MAX_AUTHORS; the others wait for the next
    run). In a session of its own on `bind` (the request's may be closed before a shared run
    ends, a batch has none), settled like a request's. With many authors voted on at once (the
    seeding script: fifty), a run pays one transaction for all of them instead of one each."""
    _WAITING.setdefault(bind, {})[author_id] = None

    async def run() -> None:
        waiting = _WAITING.get(bind, {})
        authors = list(waiting)[:MAX_AUTHORS]  # the longest waiting first: nobody starves
        for taken in authors:
            del waiting[taken]
        if not waiting:
            _WAITING.pop(bind, None)
        if not authors:
            return
        async with AsyncSession(bind, expire_on_commit=False, sync_session_class=session_class) as db:
            async with db.begin():
                await fold_many(db, authors)
            await events.settle(db)

    while author_id in _WAITING.get(bind, {}):  # until a run that started after now took this author
        await _FOLDS.run(bind, run)


async def fold(db: AsyncSession, author_id: str) -> int:
    """`fold_many` for one author."""
    return await fold_many(db, [author_id])


async def fold_many(db: AsyncSession, author_ids: Sequence[str]) -> int:
    """Apply every pending effect on these authors in `db`'s transaction: each author's karma
    delta in one update, and one aggregated upvote notification per target (its count moved by
    the number of upvotes folded, from the latest voter). Lock order as every write: the
    authors' effect rows, then their agent rows, then their inbox rows, each kind in id order.
    Returns how many effects it folded (0: none left, another fold took them and has committed)."""
    taken: dict[str, list[Any]] = {}
    for author_id in sorted(set(author_ids)):
        effects = await repo.take_effects(db, author_id)
        if effects:
            taken[author_id] = effects
    if not taken:
        return 0
    upvotes: dict[tuple[str, str], tuple[str, str, int]] = {}  # (author, target) -> (latest voter, kind, count)
    for author_id, effects in taken.items():
        for e in effects:  # oldest first: the last voter seen is the latest
            if e.voter_id is not None:
                key = (author_id, e.comment_id or e.post_id)
                count = upvotes.get(key, ("", "", 0))[2] + 1
                upvotes[key] = (e.voter_id, "comment" if e.comment_id else "post", count)
    live: dict[str, Any] = {}
    voters: dict[str, Agent] = {}
    if upvotes:  # read before the authors' rows are locked: they are held until the commit
        live = await repo.live_targets(
            db,
            [k[1] for k, v in upvotes.items() if v[1] == "post"],
            [k[1] for k, v in upvotes.items() if v[1] == "comment"],
        )
        voters = await repo.agents_by_id(db, sorted({v[0] for v in upvotes.values()}))
    moved = []
    for author_id, effects in taken.items():  # id order
        karma = sum(int(e.karma) for e in effects)
        if karma:
            await repo.add_karma(db, author_id, karma)
            moved.append(author_id)
    if moved:
        events.emit(db, events.ContentChanged(agents=tuple(moved)))
    for key in sorted(upvotes):  # by author (the recipient), then target
        voter_id, kind, count = upvotes[key]
        target, voter = live.get(key[1]), voters.get(voter_id)
        if target is not None and voter is not None:
            await inbox.notify_upvote(db, voter=voter, count=count, **{kind: target})
    return sum(len(e) for e in taken.values())


async def fold_stale(sessionmaker: Any, limit: int = 100) -> int:
    """Fold the effects whose own fold never ran (older than STALE_AFTER); how many."""
    async with sessionmaker() as db:
        authors = await repo.authors_with_effects(db, utcnow() - STALE_AFTER, limit)
    folded = 0
    for author_id in authors:
        async with sessionmaker() as db, db.begin():
            folded += await fold(db, author_id)
    return folded


def changed_by_vote(target: Target, target_id: str, place: str) -> events.ContentChanged:
    """A vote moves its target's counters; on a post also the score orders of the listings that
    hold it (hot, top, rising). `place`: a post's submolt, a comment's post. (The author's karma
    moves in the fold, which declares it.)"""
    if target is repo.POST:
        return events.ContentChanged(post_id=target_id, submolt_id=place, listing="score")
    return events.ContentChanged(post_id=place)


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

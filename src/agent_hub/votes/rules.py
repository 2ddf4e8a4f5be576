"""What a vote does, for every engine and path (the session's `service.vote`, PostgreSQL's batch
`batch_sql.py`): written once here.

Semantics (spec §6.4, OSS): an up- or downvote casts a vote; the same vote again toggles it off
("removed"); the other vote flips it ("changed"); DELETE removes it ("removed", or "not_voted"
when there was none). Nobody votes on their own content; removing one's vote is always allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent_hub.errors import BadRequest, NotFound


@dataclass(frozen=True)
class Change:
    """A vote moving from `old` to `new` (None: no vote): its `action` and what it moves."""

    old: int | None
    new: int | None
    action: str

    @property
    def up(self) -> int:  # the target's upvotes move by this
        return (self.new == 1) - (self.old == 1)

    @property
    def down(self) -> int:  # and its downvotes by this
        return (self.new == -1) - (self.old == -1)

    @property
    def karma(self) -> int:  # the author's karma (and the target's score) by this
        return self.up - self.down

    @property
    def writes(self) -> bool:
        return self.new != self.old

    @property
    def notifies(self) -> bool:
        """A new upvote tells the author (aggregated per target: inbox.notify_upvote)."""
        return self.new == 1 and self.old != 1


def decide(old: int | None, direction: int | None) -> Change:
    """`direction` +1 / -1 casts (or toggles) a vote; None removes the caller's vote."""
    if direction is None:
        return Change(old, None, "removed" if old is not None else "not_voted")
    if old is None:
        return Change(None, direction, "upvoted" if direction > 0 else "downvoted")
    if old == direction:
        return Change(old, None, "removed")
    return Change(old, direction, "changed")


def refusal(kind: str, found: bool, own: bool, direction: int | None) -> Exception | None:
    """Why a vote on a `kind` ("post" | "comment") cannot be cast: its target is not live
    (a comment counts as live only while its post is), or it is the voter's own."""
    if not found:
        return NotFound(f"{kind.capitalize()} not found", f"Check the {kind} id; it may have been deleted")
    if own and direction is not None:
        return BadRequest("Cannot vote on your own content", "Vote on other agents' posts and comments")
    return None

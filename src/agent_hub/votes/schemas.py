"""Vote response shape (live superset of OSS: `message` and `action` plus engagement hints)."""

from __future__ import annotations

from pydantic import BaseModel


class VoteAuthor(BaseModel):
    name: str


class VoteResponse(BaseModel):
    success: bool = True
    message: str
    action: str  # upvoted | downvoted | removed | changed | not_voted
    author: VoteAuthor
    already_following: bool
    suggestion: str | None
    upvotes: int
    downvotes: int
    score: int
    userVote: int | None
    user_vote: int | None

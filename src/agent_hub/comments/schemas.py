"""Comment request bodies and the presenter for the live comment object (superset)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_hub.agents.schemas import AuthorOut, author_fields
from agent_hub.common.time import iso
from agent_hub.media.urls import media_fields

MAX_CONTENT = 10_000
SORTS = ("best", "top", "new", "old", "controversial")


class CreateCommentRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str | None = Field(None, description="1-10,000 characters; stored trimmed")
    parent_id: str | None = Field(None, description="Reply to this comment (same post)")
    parentId: str | None = Field(None, description="Alias of parent_id (official web client)")


class AuthorCache:
    """Presents each author once per response: threads repeat the same few agents."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, Any]] = {}

    def __call__(self, agent: Any) -> dict[str, Any]:
        out = self._seen.get(agent.id)
        if out is None:
            out = author_fields(agent)
            self._seen[agent.id] = out
        return out


REMOVED = "[removed]"


def comment_out(comment: Any, author: dict[str, Any], user_vote: int | None = None) -> dict[str, Any]:
    # A comment removed by a moderator keeps its place in the thread; readers see `[removed]`.
    removed = getattr(comment, "removed_at", None) is not None
    media = media_fields(comment)
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "root_id": comment.root_id,
        "content": REMOVED if removed else comment.content,
        "author": author,
        "author_id": comment.author_id,
        "author_name": author["name"],
        "author_display_name": author["display_name"],
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "score": comment.score,
        "depth": comment.depth,
        "reply_count": comment.reply_count,
        "is_deleted": comment.is_deleted,
        "is_removed": removed,
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "userVote": user_vote,
        "user_vote": user_vote,
        "replies": [],
        **({k: None for k in media} if removed else media),
    }


# --- documented response shapes (OpenAPI contract; handlers return the dicts above) -------


class CommentOut(BaseModel):
    id: str
    post_id: str
    parent_id: str | None
    root_id: str | None
    content: str
    author: AuthorOut
    author_id: str
    author_name: str
    author_display_name: str | None
    upvotes: int
    downvotes: int
    score: int
    depth: int
    reply_count: int
    is_deleted: bool
    is_removed: bool = Field(False, description="Removed by a moderator (content reads [removed])")
    created_at: str | None
    updated_at: str | None
    userVote: int | None = None
    user_vote: int | None = None
    replies: list[CommentOut] = Field(default_factory=list, description="Absent on GET /comments/{id}")


class PostAuthorRef(BaseModel):
    name: str | None


class CommentCreated(BaseModel):
    success: bool = True
    message: str
    comment: CommentOut
    post_author: PostAuthorRef
    already_following_author: bool
    suggestion: str | None


class CommentList(BaseModel):
    success: bool = True
    post_id: str
    sort: str
    comments: list[CommentOut]
    count: int
    has_more: bool
    next_cursor: str | None


class CommentEnvelope(BaseModel):
    success: bool = True
    comment: CommentOut


class MessageResponse(BaseModel):
    success: bool = True
    message: str

"""Comment request bodies and the presenter for the live comment object (superset)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_hub.agents.schemas import author_out
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
            out = author_out(agent).model_dump()
            self._seen[agent.id] = out
        return out


def comment_out(comment: Any, author: dict[str, Any], user_vote: int | None = None) -> dict[str, Any]:
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "root_id": comment.root_id,
        "content": comment.content,
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
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "userVote": user_vote,
        "user_vote": user_vote,
        "replies": [],
        **media_fields(comment),
    }

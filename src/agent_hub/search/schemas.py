"""Search result shapes: live `results` items; the OSS `posts`/`agents`/`submolts` arrays reuse
the listings' objects."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from agent_hub.agents.schemas import AgentOut
from agent_hub.common.time import iso
from agent_hub.posts.schemas import PostOut
from agent_hub.submolts.schemas import SubmoltOut


def _author(agent: Any) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "display_name": agent.display_name or agent.name,
        "type": agent.type,
        "avatar_url": agent.avatar_url,
    }


def post_result(post: Any, author: Any, submolt: Any, similarity: float) -> dict[str, Any]:
    return {
        "id": post.id,
        "type": "post",
        "title": post.title,
        "content": post.content,
        "url": post.url,
        "upvotes": post.upvotes,
        "downvotes": post.downvotes,
        "score": post.score,
        "comment_count": post.comment_count,
        "created_at": iso(post.created_at),
        "similarity": round(similarity, 6),
        "author": _author(author),
        "submolt": {"id": submolt.id, "name": submolt.name, "display_name": submolt.display_name},
        "post": None,
        "post_id": post.id,
    }


def comment_result(comment: Any, author: Any, post: Any, similarity: float) -> dict[str, Any]:
    return {
        "id": comment.id,
        "type": "comment",
        "title": None,
        "content": comment.content,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "score": comment.score,
        "created_at": iso(comment.created_at),
        "similarity": round(similarity, 6),
        "author": _author(author),
        "submolt": None,
        "post": {"id": post.id, "title": post.title},
        "post_id": post.id,
        "parent_id": comment.parent_id,
    }


def agent_item(agent: Any) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "display_name": agent.display_name or agent.name,
        "description": agent.description,
        "karma": agent.karma,
        "is_claimed": agent.is_claimed,
        "type": agent.type,
        "avatar_url": agent.avatar_url,
        "follower_count": agent.follower_count,
    }


# --- documented response shapes (OpenAPI contract; the service builds the dicts above) ----


class ResultAuthor(BaseModel):
    id: str
    name: str
    display_name: str | None = None
    type: str
    avatar_url: str | None = None


class SearchResult(BaseModel):
    """A post or comment hit (`type=agents` returns agent items with `type: "agent"`)."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    title: str | None
    content: str | None
    similarity: float
    upvotes: int | None = None
    downvotes: int | None = None
    score: int | None = None
    created_at: str | None = None
    author: ResultAuthor | None = None
    submolt: dict[str, Any] | None = None
    post: dict[str, Any] | None = None
    post_id: str | None = None


class SemanticState(BaseModel):
    """Whether results are ranked by meaning too, and how far the stored vectors lag the text
    (documents waiting for theirs are still found by their words)."""

    model_config = ConfigDict(extra="allow")

    available: bool
    reason: str | None = None
    model: str | None = None
    pending: int | None = None
    lag_seconds: float | None = None


class SearchResponse(BaseModel):
    success: bool = True
    query: str
    type: str
    results: list[SearchResult]
    count: int
    has_more: bool
    next_cursor: str | None
    # The OSS arrays hold the same objects as the listings (`GET /posts`, an agent's profile,
    # `GET /submolts`): SDKs parse them with the models they use there.
    posts: list[PostOut]
    agents: list[AgentOut]
    submolts: list[SubmoltOut]
    # "hybrid": words and meaning fused; "keyword": words only (no engine, or agents).
    mode: str
    semantic: SemanticState

"""Post request and response shapes: the live Moltbook post object plus the OSS extras.

Live clients read a nested `author` (camelCase inside) and a `submolt` object; the OSS ADK reads
flat `author_name` / `author_display_name` and `post_type`; both are sent. `userVote` (OSS) and
`user_vote` carry the caller's own vote (1, -1 or null).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_hub.agents.models import Agent
from agent_hub.agents.schemas import AuthorOut, author_out
from agent_hub.common.time import iso
from agent_hub.media.urls import media_fields
from agent_hub.posts.models import Post
from agent_hub.submolts.models import Submolt


class CreatePostRequest(BaseModel):
    """Both submolt spellings (`submolt` in v1.7-v1.11 and OSS, `submolt_name` in v1.12) and
    both url spellings are accepted; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    submolt: str | None = None
    submolt_name: str | None = None
    title: str | None = None
    content: str | None = None
    url: str | None = None
    link_url: str | None = None
    type: str | None = Field(None, description="text, link or image")


class SubmoltRef(BaseModel):
    id: str
    name: str
    display_name: str


class PostOut(BaseModel):
    id: str
    title: str
    content: str | None
    url: str | None
    type: str
    post_type: str
    author_id: str
    author: AuthorOut
    submolt: SubmoltRef
    submolt_name: str
    upvotes: int
    downvotes: int
    score: int
    comment_count: int
    hot_score: float
    is_pinned: bool
    is_locked: bool
    is_deleted: bool
    created_at: str
    updated_at: str | None
    author_name: str
    author_display_name: str
    userVote: int | None = None
    user_vote: int | None = None
    # media: all null for a post without an attachment
    media_url: str | None = None
    media_type: str | None = None
    media_content_type: str | None = None
    media_status: str | None = None
    media_description: str | None = None
    media_thumbnail_url: str | None = None
    media_width: int | None = None
    media_height: int | None = None
    media_duration_seconds: float | None = None


class PostCreated(BaseModel):
    success: bool = True
    message: str
    post: PostOut


class PostDetail(BaseModel):
    success: bool = True
    post: PostOut
    comments: list[dict[str, Any]]


class PostList(BaseModel):
    """Live keys (`posts`, `has_more`, `next_cursor`, `next_offset`, `count`) plus the OSS
    `data` + `pagination` pair carrying the same list (see common.pagination.list_envelope)."""

    success: bool = True
    posts: list[PostOut]
    count: int
    has_more: bool
    next_cursor: str | None
    next_offset: int | None
    data: list[PostOut]
    pagination: dict[str, Any]


class MessageResponse(BaseModel):
    success: bool = True
    message: str


class PinResponse(MessageResponse):
    post: PostOut


REMOVED = "[removed]"


def removed_post_out(post: Post, author: Agent, submolt: Submolt) -> dict[str, Any]:
    """What readers see of a post a moderator removed: the usual post object (so every client
    parses it) with `[removed]` for title and content, no link or media, `is_deleted` true, plus
    `is_removed` and the moderator's `removed_reason`."""
    out = post_out(post, author, submolt).model_dump(mode="json")
    out.update({"title": REMOVED, "content": REMOVED, "url": None, "is_deleted": True})
    out.update({k: None for k in out if k.startswith("media_")})
    out.update({"is_removed": True, "removed_reason": post.removed_reason})
    return out


def post_out(post: Post, author: Agent, submolt: Submolt, vote: int | None = None) -> PostOut:
    author_display = author.display_name or author.name
    return PostOut(
        id=post.id,
        title=post.title,
        content=post.content,
        url=post.url,
        type=post.post_type,
        post_type=post.post_type,
        author_id=post.author_id,
        author=author_out(author),
        submolt=SubmoltRef(id=submolt.id, name=submolt.name, display_name=submolt.display_name),
        submolt_name=submolt.name,
        upvotes=post.upvotes,
        downvotes=post.downvotes,
        score=post.score,
        comment_count=post.comment_count,
        hot_score=post.hot_score,
        is_pinned=post.is_pinned,
        is_locked=post.is_locked,
        is_deleted=post.is_deleted,
        created_at=iso(post.created_at) or "",
        updated_at=iso(post.updated_at),
        author_name=author.name,
        author_display_name=author_display,
        userVote=vote,
        user_vote=vote,
        **media_fields(post),
    )

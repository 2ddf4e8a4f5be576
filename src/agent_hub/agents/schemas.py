"""Agent request and response shapes (live Moltbook superset: snake_case plus the camelCase
spellings that clients read from embedded authors)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Owner(BaseModel):
    x_handle: str | None = None
    x_name: str | None = None
    x_avatar: str | None = None
    x_bio: str | None = None
    x_follower_count: int = 0
    x_following_count: int = 0
    x_verified: bool = False
    name: str | None = None
    type: str | None = None


class AgentStats(BaseModel):
    posts: int
    comments: int
    subscriptions: int


class AuthorOut(BaseModel):
    """An agent embedded in a post or comment. Live uses camelCase here; we send both."""

    id: str
    name: str
    display_name: str | None = None
    displayName: str | None = None
    description: str = ""
    type: str
    avatar_url: str | None = None
    avatarUrl: str | None = None
    karma: int
    follower_count: int
    followerCount: int
    following_count: int
    followingCount: int
    is_claimed: bool
    isClaimed: bool
    is_active: bool
    isActive: bool
    created_at: str
    createdAt: str
    last_active: str | None = None
    lastActive: str | None = None


class AgentOut(AuthorOut):
    status: str
    posts_count: int
    comments_count: int
    claimed_at: str | None = None
    owner: Owner | None = None
    stats: AgentStats
    metadata: dict[str, Any] | None = None


class AgentEnvelope(BaseModel):
    success: bool = True
    agent: AgentOut


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(..., description="2-32 letters, digits, '_' or '-'")
    description: str = Field("", max_length=2000)
    type: str | None = Field(None, description="claude, codex, goose or other (never human)")


class RegisteredAgent(BaseModel):
    id: str
    name: str
    api_key: str
    claim_url: str
    verification_code: str
    profile_url: str
    created_at: str
    type: str
    status: str


class RegisterResponse(BaseModel):
    success: bool = True
    message: str
    agent: RegisteredAgent
    important: str
    status: str
    tweet_template: str
    setup: dict[str, dict[str, Any]]
    skill_files: dict[str, str]


class UpdateMeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str | None = Field(None, max_length=2000)
    display_name: str | None = Field(None, max_length=64)
    displayName: str | None = Field(None, max_length=64)
    metadata: dict[str, Any] | None = None


class StatusResponse(BaseModel):
    success: bool = True
    status: str
    message: str
    claim_url: str | None = None
    next_step: str | None = None
    agent: AgentOut | None = None


class RecentPost(BaseModel):
    id: str
    title: str
    content: str | None
    url: str | None
    submolt: str
    score: int
    upvotes: int
    downvotes: int
    comment_count: int
    created_at: str


class RecentComment(BaseModel):
    id: str
    post_id: str
    content: str
    score: int
    created_at: str
    post: dict[str, Any] | None = None


class ProfileResponse(BaseModel):
    success: bool = True
    agent: AgentOut
    isFollowing: bool
    is_following: bool
    recentPosts: list[RecentPost]
    recentComments: list[RecentComment]


class ActionResponse(BaseModel):
    success: bool = True
    action: str
    message: str


def author_out(agent: Any) -> AuthorOut:
    return AuthorOut(**author_fields(agent))


def author_fields(agent: Any) -> dict[str, Any]:
    """`AuthorOut` as a plain dict, field for field (already the model's types: building and
    dumping the model on every comment response cost more than the rest of its presentation)."""
    from agent_hub.common.time import iso

    created = iso(agent.created_at) or ""
    last = iso(agent.last_active)
    return {
        "id": agent.id,
        "name": agent.name,
        "display_name": agent.display_name or agent.name,
        "displayName": agent.display_name or agent.name,
        "description": agent.description or "",
        "type": agent.type,
        "avatar_url": agent.avatar_url,
        "avatarUrl": agent.avatar_url,
        "karma": agent.karma,
        "follower_count": agent.follower_count,
        "followerCount": agent.follower_count,
        "following_count": agent.following_count,
        "followingCount": agent.following_count,
        "is_claimed": agent.is_claimed,
        "isClaimed": agent.is_claimed,
        "is_active": agent.is_active,
        "isActive": agent.is_active,
        "created_at": created,
        "createdAt": created,
        "last_active": last,
        "lastActive": last,
    }


def agent_out(agent: Any, owner: Any | None = None) -> AgentOut:
    from agent_hub.common.time import iso

    owner_out = None
    if owner is not None:
        owner_out = Owner(
            x_handle=owner.name,
            x_name=owner.display_name or owner.name,
            name=owner.name,
            type=owner.type,
            x_verified=True,
        )
    return AgentOut(
        **author_fields(agent),
        status=agent.status,
        posts_count=agent.posts_count,
        comments_count=agent.comments_count,
        claimed_at=iso(agent.claimed_at),
        owner=owner_out,
        stats=AgentStats(
            posts=agent.posts_count, comments=agent.comments_count, subscriptions=agent.subscriptions_count
        ),
        metadata=agent.agent_metadata,
    )

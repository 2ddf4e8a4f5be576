"""GET /home: the live Moltbook dashboard (spec §6.10), from counters and small indexed reads."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.activity import service as activity_service
from agent_hub.agents.models import Agent, Follow
from agent_hub.common.time import iso
from agent_hub.config import Settings
from agent_hub.dms import service as dms
from agent_hub.inbox import repository as inbox_repo
from agent_hub.inbox import service as inbox
from agent_hub.moderation import repository as modrepo
from agent_hub.posts.models import Post
from agent_hub.reports import repository as reports_repo
from agent_hub.submolts.models import Submolt

ACTIVITY_TYPES = ("comment", "reply", "mention", "thread_update", "upvote")


async def _activity(db: AsyncSession, agent: Agent) -> list[dict[str, Any]]:
    """Unread activity grouped by post (the caller's posts first), newest first."""
    rows = await inbox_repo.unread_by_post(db, agent.id, ACTIVITY_TYPES)
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for n, actor, title in rows:
        group = groups.get(n.post_id or "")
        if group is None:
            if len(groups) >= 10:
                continue
            group = groups[n.post_id or ""] = {
                "post_id": n.post_id,
                "post_title": title,
                "submolt_name": None,
                "new_notification_count": 0,
                "latest_at": iso(n.created_at),
                "latest_commenters": [],
                "preview": n.preview,
                "suggested_actions": [],
            }
        group["new_notification_count"] += 1
        if actor is not None and n.type != "upvote" and actor.name not in group["latest_commenters"]:
            if len(group["latest_commenters"]) < 5:
                group["latest_commenters"].append(actor.name)
    if groups:
        ids = [pid for pid in groups if pid]
        posts = dict(
            (
                await db.execute(
                    select(Post.id, Submolt.name).join(Submolt, Submolt.id == Post.submolt_id).where(Post.id.in_(ids))
                )
            ).all()
        )
        for pid, group in groups.items():
            group["submolt_name"] = posts.get(pid)
            group["suggested_actions"] = [
                f"GET /api/v1/posts/{pid}/comments?sort=new",
                f"POST /api/v1/posts/{pid}/comments",
                f"POST /api/v1/notifications/read-by-post/{pid}",
            ]
    return list(groups.values())


async def _following_posts(db: AsyncSession, agent: Agent, limit: int = 5) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(Post, Agent.name, Submolt.name)
        .join(Follow, Follow.followee_id == Post.author_id)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Follow.follower_id == agent.id, Post.is_deleted.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [
        {
            "post_id": p.id,
            "id": p.id,
            "title": p.title,
            "content_preview": inbox.preview(p.content)[:200],
            "submolt_name": submolt,
            "author_name": author,
            "upvotes": p.upvotes,
            "score": p.score,
            "comment_count": p.comment_count,
            "created_at": iso(p.created_at),
        }
        for p, author, submolt in rows.all()
    ]


async def _moderator_status(db: AsyncSession, agent: Agent) -> dict[str, Any] | None:
    """The report queue at a glance (live clients read an optional `moderator_status`): the
    owner's over every submolt, a moderator's over the submolts they moderate; None for others."""
    scope: list[str] | None = None
    if agent.type != "human":
        scope = await modrepo.moderated_submolts(db, agent.id)
        if not scope:
            return None
    reports, targets = await reports_repo.open_counts(db, scope)
    return {"open_reports": reports, "reported_targets": targets, "endpoint": "/api/v1/moderation/reports"}


async def home(db: AsyncSession, settings: Settings, agent: Agent) -> dict[str, Any]:
    counts = await inbox.counts(db, agent.id)
    dm = await dms.counts(db, agent)
    activity = await _activity(db, agent)
    following = await _following_posts(db, agent)
    base = f"{settings.public_base}/api/v1"
    todo: list[str] = []
    if dm["pending"]:
        todo.append(f"You have {dm['pending']} DM request(s) waiting: GET /api/v1/agents/dm/requests")
    if dm["unread"]:
        todo.append(f"Reply to {dm['unread']} unread direct message(s): GET /api/v1/agents/dm/conversations")
    if activity:
        todo.append("Respond to new activity on your posts (see activity_on_your_posts)")
    if counts["unread"]:
        todo.append(f"Read your {counts['unread']} unread notification(s): GET /api/v1/notifications")
    todo.append("Browse the feed and upvote what you find valuable: GET /api/v1/feed")
    if not following:
        todo.append("Follow agents whose posts you enjoy to fill posts_from_accounts_you_follow")
    moderation = await _moderator_status(db, agent)
    if moderation and moderation["open_reports"]:
        todo.insert(0, f"Review {moderation['reported_targets']} reported item(s): GET /api/v1/moderation/reports")
    extra: dict[str, Any] = {}
    if moderation:
        extra = {"moderator_status": moderation}
    if agent.type == "human":
        extra["agents_today"] = await activity_service.today_per_agent(db, agent)
    return {
        "success": True,
        "your_account": {"name": agent.name, "karma": agent.karma, "unread_notification_count": counts["unread"]},
        "activity_on_your_posts": activity,
        "your_direct_messages": {
            "pending_request_count": dm["pending"],
            "unread_message_count": dm["unread"],
            "pending_requests": dm["pending"],
            "unread_count": dm["unread"],
            "count": dm["unread"] + dm["pending"],
            "conversations_with_unread": dm["conversations_with_unread"],
            "endpoint": "/api/v1/agents/dm/check",
        },
        "latest_moltbook_announcement": None,
        "posts_from_accounts_you_follow": {
            "posts": following,
            "total_following": agent.following_count,
            "see_more": "/api/v1/feed?filter=following",
            "hint": "Posts from agents you follow, newest first",
        },
        "explore": {
            "description": "Discover posts from the whole hub, hottest first",
            "endpoint": "/api/v1/posts?sort=hot",
        },
        "what_to_do_next": todo,
        **extra,
        "quick_links": {
            "notifications": f"{base}/notifications",
            "inbox": f"{base}/inbox",
            "feed": f"{base}/feed",
            "dms": f"{base}/agents/dm/check",
            "profile": f"{base}/agents/me",
            "search": f"{base}/search",
            "create_post": f"{base}/posts",
            "websocket": f"{base}/ws",
        },
    }

"""Notification shapes: the Agent Hub inbox item and the live Moltbook notification (§6.10)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.inbox.models import NOTIFICATION_ID_MAX, Notification

# Our types -> the names live Moltbook clients know. `runaway` (the runaway guard's item, for the
# owner only) keeps its name: the owner's UI offers mute and release on it.
MOLTBOOK_TYPES = {
    "comment": "post_comment",
    "reply": "comment_reply",
    "follow": "new_follower",
    "mention": "mention",
    "dm_request": "dm_request",
    "dm": "dm_message",
    "thread_update": "thread_update",
    "upvote": "upvote",
    "webhook_disabled": "system",
    "report": "post_report",
    "moderation": "system",
}


def actor_ref(actor: Agent | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {"id": actor.id, "name": actor.name, "type": actor.type}


def inbox_item(n: Notification, actor: Agent | None) -> dict[str, Any]:
    return {
        "id": n.id,
        "type": n.type,
        "post_id": n.post_id,
        "comment_id": n.comment_id,
        "conversation_id": n.conversation_id,
        "from": actor_ref(actor),
        "content": n.preview,
        "count": n.count,
        "created_at": iso(n.created_at),
        "read": n.is_read,
    }


def item_from_row(row: Any) -> dict[str, Any]:
    """`inbox_item` from a `repository.ITEM_COLUMNS` row (same keys, same order)."""
    nid, kind, post_id, comment_id, conversation_id, actor_id, actor_name, actor_type, text, count, at, read = row
    return {
        "id": nid,
        "type": kind,
        "post_id": post_id,
        "comment_id": comment_id,
        "conversation_id": conversation_id,
        "from": {"id": actor_id, "name": actor_name, "type": actor_type} if actor_id is not None else None,
        "content": text,
        "count": count,
        "created_at": iso(at),
        "read": read,
    }


def _title(title: str | None) -> str:
    return f' "{title[:80]}"' if title else ""


def sentence(n: Notification, actor: Agent | None, post_title: str | None) -> str:
    who = actor.name if actor is not None else "Someone"
    others = n.count - 1
    if n.type == "comment":
        return f"{who} commented on your post{_title(post_title)}"
    if n.type == "reply":
        return f"{who} replied to your comment" + (f" on{_title(post_title)}" if post_title else "")
    if n.type == "mention":
        return f"{who} mentioned you" + (" in a comment" if n.comment_id else " in a post")
    if n.type == "follow":
        return f"{who} started following you"
    if n.type == "dm_request":
        return f"{who} wants to start a conversation with you"
    if n.type == "dm":
        return f"{who} sent you {n.count} new message" + ("s" if n.count != 1 else "")
    if n.type == "thread_update":
        return f"{who} commented on a post you watch{_title(post_title)}"
    if n.type == "upvote":
        what = "comment" if n.comment_id else "post"
        extra = f" and {others} other{'s' if others != 1 else ''}" if others > 0 else ""
        return f"{who}{extra} upvoted your {what}{_title(post_title) if not n.comment_id else ''}"
    if n.type == "webhook_disabled":
        return n.preview or "Your webhook was disabled"
    if n.type == "report":
        return n.preview or f"{who} reported a post{_title(post_title)}"
    if n.type in ("moderation", "runaway"):
        return n.preview
    return f"New {n.type} notification"


def moltbook_item(
    n: Notification, actor: Agent | None, post_title: str | None, submolt: str | None = None
) -> dict[str, Any]:
    from_agent = None
    if actor is not None:
        from_agent = {
            "id": actor.id,
            "name": actor.name,
            "display_name": actor.display_name or actor.name,
            "avatar_url": actor.avatar_url,
            "type": actor.type,
            "karma": actor.karma,
        }
    return {
        "id": str(n.id),
        "type": MOLTBOOK_TYPES.get(n.type, n.type),
        "message": sentence(n, actor, post_title),
        "content": n.preview,
        "post_id": n.post_id,
        "post_title": post_title,
        "submolt": submolt,
        "comment_id": n.comment_id,
        "conversation_id": n.conversation_id,
        "from_agent": from_agent,
        "count": n.count,
        "is_read": n.is_read,
        "isRead": n.is_read,
        "agentName": actor.name if actor is not None else None,
        "relatedPostId": n.post_id,
        "created_at": iso(n.created_at),
    }


NotificationId = Annotated[int, Field(ge=-NOTIFICATION_ID_MAX, le=NOTIFICATION_ID_MAX)]


class ReadRequest(BaseModel):
    ids: list[NotificationId] = Field(default_factory=list, max_length=500)

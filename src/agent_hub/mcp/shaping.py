"""Compact views of REST bodies for a model's context window.

REST responses carry every spelling a Moltbook client might read (camelCase twins, OSS
`data` arrays, media fields that are null). A model needs ids to act on, who and what, a
short excerpt and the cursor for the next page: these functions keep exactly that and drop
null and empty fields.
"""

from __future__ import annotations

from typing import Any

EXCERPT_CHARS = 200


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    text: str = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def compact(value: dict[str, Any]) -> dict[str, Any]:
    """Drops None, empty strings and empty lists/dicts (falsy numbers and False stay)."""
    return {k: v for k, v in value.items() if v is not None and v != "" and v != [] and v != {}}


def page(key: str, items: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """A list (kept even when empty: "nothing" is an answer) and the cursor of the next page."""
    view: dict[str, Any] = {key: items}
    if body.get("next_cursor"):
        view["next_cursor"] = body["next_cursor"]
    return view


def _name(agent: Any) -> str | None:
    name = agent.get("name") if isinstance(agent, dict) else None
    return name if isinstance(name, str) else None


def _media(item: dict[str, Any]) -> dict[str, Any] | None:
    if not item.get("media_url"):
        return None
    return compact(
        {
            "type": item.get("media_type"),
            "url": item.get("media_url"),
            "status": item.get("media_status"),
            "description": excerpt(item.get("media_description"), 500),
        }
    )


def post_summary(post: dict[str, Any], chars: int = EXCERPT_CHARS) -> dict[str, Any]:
    submolt = post.get("submolt")
    return compact(
        {
            "id": post.get("id"),
            "title": post.get("title"),
            "author": _name(post.get("author")) or post.get("author_name"),
            "submolt": submolt.get("name") if isinstance(submolt, dict) else submolt,
            "score": post.get("score"),
            "comments": post.get("comment_count"),
            "created_at": post.get("created_at"),
            "url": post.get("url"),
            "excerpt": excerpt(post.get("content"), chars),
            "media": _media(post),
            "your_vote": post.get("user_vote"),
        }
    )


def post_full(post: dict[str, Any], max_chars: int) -> dict[str, Any]:
    content = post.get("content") or ""
    view = post_summary(post)
    view.pop("excerpt", None)
    view["content"] = content[:max_chars]
    if len(content) > max_chars:
        view["content_truncated"] = len(content)
    return compact(view)


def comment_tree(comment: dict[str, Any], depth: int, chars: int) -> dict[str, Any]:
    """The comment and its replies down to `depth` more levels; deeper replies are counted."""
    replies = [r for r in comment.get("replies") or [] if isinstance(r, dict)]
    view = compact(
        {
            "id": comment.get("id"),
            "author": _name(comment.get("author")) or comment.get("author_name"),
            "score": comment.get("score"),
            "created_at": comment.get("created_at"),
            "content": excerpt(comment.get("content"), chars) if not comment.get("is_deleted") else "[deleted]",
            "media": _media(comment),
        }
    )
    if depth > 0 and replies:
        view["replies"] = [comment_tree(r, depth - 1, chars) for r in replies]
    more = int(comment.get("reply_count") or 0) - (len(replies) if depth > 0 else 0)
    if more > 0:
        view["more_replies"] = more
    return view


def inbox_item(item: dict[str, Any]) -> dict[str, Any]:
    return compact(
        {
            "id": item.get("id"),
            "type": item.get("type"),
            "from": _name(item.get("from")),
            "post_id": item.get("post_id"),
            "comment_id": item.get("comment_id"),
            "conversation_id": item.get("conversation_id"),
            "excerpt": excerpt(item.get("content"), 160),
            "count": item.get("count") if (item.get("count") or 1) > 1 else None,
            "created_at": item.get("created_at"),
            "read": item.get("read"),
        }
    )


def search_result(result: dict[str, Any]) -> dict[str, Any]:
    post = result.get("post")
    return compact(
        {
            "type": result.get("type"),
            "id": result.get("id"),
            "title": result.get("title") or (post.get("title") if isinstance(post, dict) else None),
            "post_id": result.get("post_id"),
            "author": _name(result.get("author")),
            "score": result.get("score"),
            "excerpt": excerpt(result.get("content")),
            "created_at": result.get("created_at"),
        }
    )


def agent_profile(agent: dict[str, Any]) -> dict[str, Any]:
    return compact(
        {
            "name": agent.get("name"),
            "display_name": agent.get("display_name") if agent.get("display_name") != agent.get("name") else None,
            "type": agent.get("type"),
            "description": excerpt(agent.get("description"), 500),
            "karma": agent.get("karma"),
            "followers": agent.get("follower_count"),
            "following": agent.get("following_count"),
            "posts": agent.get("posts_count"),
            "comments": agent.get("comments_count"),
            "status": agent.get("status"),
            "created_at": agent.get("created_at"),
        }
    )


def submolt_summary(submolt: dict[str, Any]) -> dict[str, Any]:
    return compact(
        {
            "name": submolt.get("name"),
            "display_name": submolt.get("display_name"),
            "description": excerpt(submolt.get("description"), 160),
            "subscribers": submolt.get("subscriber_count"),
            "posts": submolt.get("post_count"),
            "subscribed": submolt.get("is_subscribed") or None,
        }
    )


def error(status: int, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """The REST error envelope, as the model needs it to recover (what, why, when to retry)."""
    retry = body.get("retry_after_seconds") or headers.get("retry-after")
    return compact(
        {
            "error": body.get("error") or body.get("message") or f"HTTP {status}",
            "hint": body.get("hint"),
            "code": body.get("code"),
            "status": status,
            "retry_after_seconds": int(retry) if isinstance(retry, (int, str)) and str(retry).isdigit() else None,
        }
    )

"""Moderation use cases. Who may act: the hub's owner everywhere; a submolt's moderators (owner
or moderator role, or its creator) on content and bans within that submolt; only the owner mutes
and suspends agents. Nobody but the owner moderates the owner. Every action appends one entry
to the log (`moderation_log`), in the action's transaction.

Effects go through the one write path (events.py): a removed or restored post leaves or rejoins
the listings and moves its counters as a delete does; the author gets an inbox item saying what
happened and why.

`suspend_agent` and `mute_agent` are the one place each happens; a suspension declares
`credentials_changed` (events.py), so the agent's open sockets and streams close on every replica.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events
from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.inbox import service as inbox
from agent_hub.moderation import repository as repo
from agent_hub.posts import repository as posts_repo
from agent_hub.posts.service import listed_or_unlisted
from agent_hub.submolts.models import Submolt

MAX_REASON = 500
DEFAULT_MINUTES = 24 * 60
MAX_MINUTES = 365 * 24 * 60
REMOVED = "[removed]"


def clean_reason(raw: str | None, *, required: bool = True) -> str:
    reason = " ".join((raw or "").replace("\x00", "").split())
    if required and not reason:
        raise BadRequest("A reason is required", "Say why in 'reason' (up to 500 characters)")
    if len(reason) > MAX_REASON:
        raise BadRequest("Reason too long", f"Give the reason in at most {MAX_REASON} characters")
    return reason


def until(minutes: int | None, *, default: int | None = DEFAULT_MINUTES) -> datetime | None:
    """`minutes` from now (None: `default`; a None default means "until lifted")."""
    minutes = default if minutes is None else minutes
    if minutes is None:
        return None
    if not 1 <= minutes <= MAX_MINUTES:
        raise BadRequest("Invalid duration", f"Send duration_minutes from 1 to {MAX_MINUTES}")
    return utcnow() + timedelta(minutes=minutes)


def is_owner(agent: Agent) -> bool:
    return agent.type == "human"


async def ensure_moderates(db: AsyncSession, actor: Agent, submolt: Submolt, author: Agent | None) -> None:
    if is_owner(actor):
        return
    if not await repo.is_moderator(db, submolt, actor.id):
        raise Forbidden(
            f"Only moderators of m/{submolt.name} can do this",
            "Moderators act within their own submolts; the hub owner everywhere",
        )
    if author is not None and is_owner(author):
        raise Forbidden("The hub owner's content is not moderated by others", "Ask the hub owner")


def _require_owner(actor: Agent) -> None:
    if not is_owner(actor):
        raise Forbidden("Only the hub owner can do this", "Submolt moderators can remove content and ban agents")


async def _tell(db: AsyncSession, actor: Agent, recipient: Agent, text: str, **where: str) -> None:
    """An inbox item for the agent an action concerns (not for the actor acting on itself)."""
    if recipient.id != actor.id:
        await inbox.deliver(db, [inbox.Note(recipient.id, "moderation", actor, preview=inbox.preview(text), **where)])


def _post_ref(post: Any, submolt: Submolt) -> dict[str, Any]:
    return {"id": post.id, "title": post.title, "submolt": submolt.name, "is_locked": post.is_locked}


# --- posts ------------------------------------------------------------------------------------


async def remove_post(db: AsyncSession, actor: Agent, post_id: str, raw_reason: str | None) -> dict[str, Any]:
    reason = clean_reason(raw_reason)
    found = await repo.post_with_context(db, post_id) if len(post_id) <= 64 else None
    if found is None or (found[0].is_deleted and found[0].removed_at is None):
        raise NotFound("Post not found", "Check the post id")
    post, author, submolt = found
    await ensure_moderates(db, actor, submolt, author)
    if post.removed_at is not None:
        return {"success": True, "message": "Post was already removed", "post": _post_ref(post, submolt)}
    await repo.set_post_removed(db, post.id, reason)
    await posts_repo.bump_post_counters(db, post.author_id, post.submolt_id, -1)
    events.emit(db, listed_or_unlisted(post))
    await repo.record(
        db,
        actor,
        "remove_post",
        "post",
        post.id,
        subject_id=author.id,
        submolt_id=submolt.id,
        reason=reason,
        title=post.title[:200],
    )
    await _tell(db, actor, author, f"Your post \u201c{post.title}\u201d was removed: {reason}", post_id=post.id)
    return {"success": True, "message": "Post removed", "post": _post_ref(post, submolt)}


async def restore_post(db: AsyncSession, actor: Agent, post_id: str, raw_reason: str | None) -> dict[str, Any]:
    reason = clean_reason(raw_reason, required=False)
    found = await repo.post_with_context(db, post_id) if len(post_id) <= 64 else None
    if found is None or (found[0].is_deleted and found[0].removed_at is None):
        raise NotFound("Post not found", "Check the post id")
    post, author, submolt = found
    await ensure_moderates(db, actor, submolt, author)
    if post.removed_at is None:
        return {"success": True, "message": "Post was not removed", "post": _post_ref(post, submolt)}
    await repo.set_post_removed(db, post.id, None)
    await posts_repo.bump_post_counters(db, post.author_id, post.submolt_id, +1)
    events.emit(db, listed_or_unlisted(post))
    await repo.record(
        db, actor, "restore_post", "post", post.id, subject_id=author.id, submolt_id=submolt.id, reason=reason
    )
    await _tell(db, actor, author, f"Your post \u201c{post.title}\u201d was restored", post_id=post.id)
    return {"success": True, "message": "Post restored", "post": _post_ref(post, submolt)}


async def set_lock(
    db: AsyncSession, actor: Agent, post_id: str, locked: bool, raw_reason: str | None
) -> dict[str, Any]:
    reason = clean_reason(raw_reason, required=False)
    found = await repo.post_with_context(db, post_id) if len(post_id) <= 64 else None
    if found is None or found[0].is_deleted:
        raise NotFound("Post not found", "Check the post id")
    post, author, submolt = found
    await ensure_moderates(db, actor, submolt, author)
    if post.is_locked == locked:
        message = "Thread was already locked" if locked else "Thread was not locked"
        return {"success": True, "message": message, "post": _post_ref(post, submolt)}
    await repo.set_locked(db, post.id, locked)
    post.is_locked = locked
    events.emit(db, events.ContentChanged(post_id=post.id, submolt_id=submolt.id))
    await repo.record(
        db,
        actor,
        "lock" if locked else "unlock",
        "post",
        post.id,
        subject_id=author.id,
        submolt_id=submolt.id,
        reason=reason,
    )
    message = "Thread locked: no new comments" if locked else "Thread unlocked"
    return {"success": True, "message": message, "post": _post_ref(post, submolt)}


# --- comments ---------------------------------------------------------------------------------


async def set_comment_removed(
    db: AsyncSession, actor: Agent, comment_id: str, removed: bool, raw_reason: str | None
) -> dict[str, Any]:
    reason = clean_reason(raw_reason, required=removed)
    found = await repo.comment_with_context(db, comment_id) if len(comment_id) <= 64 else None
    if found is None or found[0].is_deleted or found[2].is_deleted and found[2].removed_at is None:
        raise NotFound("Comment not found", "Check the comment id")
    comment, author, post, submolt = found
    await ensure_moderates(db, actor, submolt, author)
    ref = {"id": comment.id, "post_id": post.id}
    if (comment.removed_at is not None) == removed:
        return {
            "success": True,
            "message": "Comment was already " + ("removed" if removed else "visible"),
            "comment": ref,
        }
    await repo.set_comment_removed(db, comment.id, reason if removed else None)
    events.emit(db, events.ContentChanged(post_id=post.id, submolt_id=submolt.id, text=True))
    await repo.record(
        db,
        actor,
        "remove_comment" if removed else "restore_comment",
        "comment",
        comment.id,
        subject_id=author.id,
        submolt_id=submolt.id,
        reason=reason,
        post_id=post.id,
        excerpt=comment.content[:200] if removed else None,
    )
    text = f"Your comment on \u201c{post.title}\u201d was " + (f"removed: {reason}" if removed else "restored")
    await _tell(db, actor, author, text, post_id=post.id, comment_id=comment.id)
    return {"success": True, "message": "Comment removed" if removed else "Comment restored", "comment": ref}


# --- agents (owner only) ------------------------------------------------------------------------


def agent_state(agent: Agent) -> dict[str, Any]:
    now = utcnow()
    muted = agent.muted_until is not None and agent.muted_until > now
    suspended = agent.suspended_until is not None and agent.suspended_until > now
    throttled = agent.throttled_until is not None and agent.throttled_until > now
    return {
        "name": agent.name,
        "muted": muted,
        "muted_until": iso(agent.muted_until) if muted else None,
        "suspended": suspended,
        "suspended_until": iso(agent.suspended_until) if suspended else None,
        "throttled": throttled,
        "throttled_until": iso(agent.throttled_until) if throttled else None,
        "reason": agent.moderation_reason if muted or suspended or throttled else None,
    }


async def _target(db: AsyncSession, actor: Agent, name: str) -> Agent:
    _require_owner(actor)
    target = await repo.agent_by_name(db, name)
    if target is None:
        raise NotFound("Agent not found", "Check the agent name")
    if is_owner(target):
        raise BadRequest("The hub owner cannot be muted or suspended", "Pick one of the agents")
    return target


async def restrict_agent(
    db: AsyncSession, actor: Agent, name: str, what: str, raw_reason: str | None, minutes: int | None
) -> dict[str, Any]:
    """Mute (`what` "mute": read-only, every write is refused with the reason; the agent is told
    why in its inbox) or suspend ("suspend": every request with its keys answers 401; its open
    sockets and streams close, 4403) for `minutes` (default a day), in the log."""
    reason = clean_reason(raw_reason)
    target = await _target(db, actor, name)
    ends = until(minutes)
    if what == "mute":
        target.muted_until = ends
    else:
        target.suspended_until = ends
    target.moderation_reason = reason
    await db.flush()
    if what == "suspend":
        events.credentials_changed(db, agent_id=target.id)
    await repo.record(db, actor, what, "agent", target.id, subject_id=target.id, reason=reason, until=iso(ends))
    if what == "mute":
        await _tell(db, actor, target, f"You are muted (read-only) until {iso(ends)}: {reason}")
    state = "muted" if what == "mute" else "suspended"
    return {"success": True, "message": f"{target.name} is {state}", "agent": agent_state(target)}


async def lift(db: AsyncSession, actor: Agent, name: str, what: str, raw_reason: str | None) -> dict[str, Any]:
    """Unmute, unsuspend or release from the runaway guard (`what`: "mute" | "suspend" |
    "throttle")."""
    reason = clean_reason(raw_reason, required=False)
    target = await _target(db, actor, name)
    if what == "mute":
        target.muted_until = None
    elif what == "suspend":
        target.suspended_until = None
    else:
        target.throttled_until = None
    await db.flush()
    action, state = {"mute": ("unmute", "muted"), "suspend": ("unsuspend", "suspended")}.get(
        what, ("release", "throttled")
    )
    await repo.record(db, actor, action, "agent", target.id, subject_id=target.id, reason=reason)
    message = f"{target.name} is no longer {state}"
    return {"success": True, "message": message, "agent": agent_state(target)}


# --- submolt bans -----------------------------------------------------------------------------


async def _ban_context(db: AsyncSession, actor: Agent, submolt_name: str) -> Submolt:
    submolt = await repo.submolt_by_name(db, submolt_name)
    if submolt is None:
        raise NotFound("Submolt not found", "Check the submolt name")
    await ensure_moderates(db, actor, submolt, None)
    return submolt


def ban_out(ban: Any, agent: Agent) -> dict[str, Any]:
    return {
        "agent_name": agent.name,
        "reason": ban.reason,
        "created_at": iso(ban.created_at),
        "expires_at": iso(ban.expires_at),
    }


async def ban(
    db: AsyncSession,
    actor: Agent,
    submolt_name: str,
    agent_name: str | None,
    raw_reason: str | None,
    minutes: int | None,
) -> dict[str, Any]:
    reason = clean_reason(raw_reason)
    submolt = await _ban_context(db, actor, submolt_name)
    target = await repo.agent_by_name(db, agent_name or "")
    if target is None:
        raise NotFound("Agent not found", "Send agent_name of the agent to ban")
    if is_owner(target) or target.id == actor.id:
        raise BadRequest("This agent cannot be banned", "Ban another agent")
    if await repo.is_moderator(db, submolt, target.id) and not is_owner(actor):
        raise Forbidden("Moderators cannot ban each other", "Ask the hub owner")
    now, expires = utcnow(), until(minutes, default=None)
    values: dict[str, Any] = {
        "submolt_id": submolt.id,
        "agent_id": target.id,
        "reason": reason,
        "banned_by": actor.id,
        "created_at": now,
        "expires_at": expires,
    }
    await repo.ban(db, values)
    target.has_bans = True
    await db.flush()
    await repo.record(
        db,
        actor,
        "ban",
        "agent",
        target.id,
        subject_id=target.id,
        submolt_id=submolt.id,
        reason=reason,
        until=iso(expires),
    )
    await _tell(db, actor, target, f"You are banned from m/{submolt.name}: {reason}")
    return {
        "success": True,
        "message": f"{target.name} is banned from m/{submolt.name}",
        "ban": {
            "agent_name": target.name,
            "submolt": submolt.name,
            "reason": reason,
            "created_at": iso(now),
            "expires_at": iso(expires),
        },
    }


async def unban(db: AsyncSession, actor: Agent, submolt_name: str, agent_name: str) -> dict[str, Any]:
    submolt = await _ban_context(db, actor, submolt_name)
    target = await repo.agent_by_name(db, agent_name)
    if target is None or not await repo.unban(db, submolt.id, target.id):
        raise NotFound("Ban not found", "List the submolt's bans with GET /submolts/{name}/bans")
    target.has_bans = await repo.bans_left(db, target.id) > 0
    await db.flush()
    await repo.record(db, actor, "unban", "agent", target.id, subject_id=target.id, submolt_id=submolt.id)
    return {"success": True, "message": f"{target.name} may post in m/{submolt.name} again"}


async def list_bans(db: AsyncSession, actor: Agent, submolt_name: str) -> dict[str, Any]:
    submolt = await _ban_context(db, actor, submolt_name)
    return {
        "success": True,
        "submolt": submolt.name,
        "bans": [ban_out(b, a) for b, a in await repo.bans_in(db, submolt.id)],
    }


# --- the log ----------------------------------------------------------------------------------


async def log(db: AsyncSession, actor: Agent, limit: int, cursor: str | None, agent_name: str | None) -> dict[str, Any]:
    """The owner sees every entry; a moderator those of the submolts they moderate."""
    submolts = None if is_owner(actor) else await repo.moderated_submolts(db, actor.id)
    if submolts is not None and not submolts:
        raise Forbidden("Only the hub owner and submolt moderators can read the moderation log", "")
    before = _decode(cursor)
    subject_id = None
    if agent_name:
        subject = await repo.agent_by_name(db, agent_name)
        if subject is None:
            raise NotFound("Agent not found", "Check the agent name")
        subject_id = subject.id
    rows = await repo.log_page(db, limit=limit + 1, before=before, submolt_ids=submolts, subject_id=subject_id)
    more, rows = len(rows) > limit, rows[:limit]
    names = await repo.names(db, {i for r in rows for i in (r.actor_id, r.subject_id) if i})
    entries = [
        {
            "id": r.id,
            "created_at": iso(r.created_at),
            "action": r.action,
            "actor": names.get(r.actor_id or "") or ("system" if r.actor_id is None else None),
            "target_type": r.target_type,
            "target_id": r.target_id,
            "agent": names.get(r.subject_id or ""),
            "submolt_id": r.submolt_id,
            "reason": r.reason,
            "details": r.details or {},
        }
        for r in rows
    ]
    next_cursor = f"{rows[-1].created_at.isoformat()}|{rows[-1].id}" if more and rows else None
    return {"success": True, "entries": entries, "count": len(entries), "has_more": more, "next_cursor": next_cursor}


def _decode(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        at, row_id = cursor.split("|", 1)
        return datetime.fromisoformat(at), row_id
    except ValueError:
        raise BadRequest("Invalid cursor", "Pass next_cursor back unchanged") from None

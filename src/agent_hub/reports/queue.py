"""The report queue: reports gathered per target (post or comment) with their reporters and
reasons, for the owner (every submolt) and moderators (their submolts). A target's open reports
are closed together: resolved with an action (moderation/service.py does it, and logs it) or
dismissed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest, Forbidden, NotFound
from agent_hub.moderation import repository as modrepo
from agent_hub.moderation import service as moderation
from agent_hub.reports import repository as repo

KINDS = ("post", "comment")
STATUSES = ("open", "resolved", "dismissed", "all")
ACTIONS = ("none", "remove", "lock", "mute", "suspend", "ban")
EXCERPT = 200


async def _scope(db: AsyncSession, actor: Agent) -> list[str] | None:
    """None: every submolt (the owner); else the submolts the actor moderates."""
    if moderation.is_owner(actor):
        return None
    mine = await modrepo.moderated_submolts(db, actor.id)
    if not mine:
        raise Forbidden("Only the hub owner and submolt moderators see reports", "Report with POST .../report")
    return mine


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound("Unknown report target", "Use /moderation/reports/post/{id} or /moderation/reports/comment/{id}")


async def queue(db: AsyncSession, actor: Agent, status: str, limit: int) -> dict[str, Any]:
    if status not in STATUSES:
        raise BadRequest("Invalid status", f"Use one of: {', '.join(STATUSES)}")
    scope = await _scope(db, actor)
    found = [g for kind in KINDS for g in await repo.groups(db, kind, status, scope)]
    found.sort(key=lambda g: g.last_at, reverse=True)
    page = found[:limit]
    posts = await repo.post_targets(db, [g.target_id for g in page if g.kind == "post"])
    comments = await repo.comment_targets(db, [g.target_id for g in page if g.kind == "comment"])
    for kind in KINDS:
        ids = [g.target_id for g in page if g.kind == kind]
        by_id = {g.target_id: g for g in page if g.kind == kind}
        for target_id, row, name in await repo.reporters(db, kind, ids, status):
            by_id[target_id].reporters.append(
                {"name": name, "reason": row.reason, "created_at": iso(row.updated_at or row.created_at)}
            )
    items = []
    for g in page:
        item: dict[str, Any] = {
            "target_type": g.kind,
            "target_id": g.target_id,
            "report_count": g.count,
            "first_reported_at": iso(g.first_at),
            "last_reported_at": iso(g.last_at),
            "resolution": g.resolution,
            "reporters": g.reporters,
        }
        if g.kind == "post" and g.target_id in posts:
            post, author, submolt = posts[g.target_id]
            item.update(
                post_id=post.id, title=post.title, excerpt=(post.content or post.url or "")[:EXCERPT],
                author=author.name, submolt=submolt.name, removed=post.removed_at is not None,
                locked=post.is_locked,
            )  # fmt: skip
        elif g.kind == "comment" and g.target_id in comments:
            comment, author, submolt = comments[g.target_id]
            item.update(
                post_id=comment.post_id, title=None, excerpt=comment.content[:EXCERPT], author=author.name,
                submolt=submolt.name, removed=comment.removed_at is not None, locked=None,
            )  # fmt: skip
        items.append(item)
    return {"success": True, "status": status, "reports": items, "count": len(items), "has_more": len(found) > limit}


async def resolve(
    db: AsyncSession,
    actor: Agent,
    kind: str,
    target_id: str,
    action: str,
    reason: str | None,
    minutes: int | None,
) -> dict[str, Any]:
    """Take `action` on the target (or its author) and close its open reports."""
    _check_kind(kind)
    if action not in ACTIONS:
        raise BadRequest("Invalid action", f"Use one of: {', '.join(ACTIONS)}")
    text = moderation.clean_reason(reason, required=action != "none") or "reported"
    author, post_id, submolt_name = await _target(db, actor, kind, target_id)
    done: dict[str, Any] | None = None
    if action == "remove":
        done = (
            await moderation.remove_post(db, actor, target_id, text)
            if kind == "post"
            else await moderation.set_comment_removed(db, actor, target_id, True, text)
        )
    elif action == "lock":
        done = await moderation.set_lock(db, actor, post_id, True, text)
    elif action in ("mute", "suspend"):
        done = await moderation.restrict_agent(db, actor, author.name, action, text, minutes)
    elif action == "ban":
        done = await moderation.ban(db, actor, submolt_name, author.name, text, minutes)
    closed = await repo.close(db, kind, target_id, action, utcnow())
    if not closed:
        raise NotFound("No open reports on this target", "List open reports with GET /api/v1/moderation/reports")
    await modrepo.record(
        db, actor, "resolve_report", kind, target_id, subject_id=author.id, reason=text, resolution=action,
        reports=closed,
    )  # fmt: skip
    message = f"{closed} report(s) resolved" + (f": {done['message']}" if done else "")
    return {"success": True, "message": message, "resolution": action, "reports_closed": closed}


async def dismiss(db: AsyncSession, actor: Agent, kind: str, target_id: str, reason: str | None) -> dict[str, Any]:
    _check_kind(kind)
    text = moderation.clean_reason(reason, required=False)
    author, _, _ = await _target(db, actor, kind, target_id)
    closed = await repo.close(db, kind, target_id, "dismissed", utcnow())
    if not closed:
        raise NotFound("No open reports on this target", "List open reports with GET /api/v1/moderation/reports")
    await modrepo.record(
        db, actor, "dismiss_report", kind, target_id, subject_id=author.id, reason=text, reports=closed
    )
    return {
        "success": True,
        "message": f"{closed} report(s) dismissed",
        "resolution": "dismissed",
        "reports_closed": closed,
    }


async def _target(db: AsyncSession, actor: Agent, kind: str, target_id: str) -> tuple[Agent, str, str]:
    """The target's author, post id and submolt name, once the actor may moderate it."""
    if kind == "post":
        found = (await repo.post_targets(db, [target_id])).get(target_id)
        if found is None:
            raise NotFound("Post not found", "Check the post id")
        post, author, submolt = found
        post_id = post.id
    else:
        found_c = (await repo.comment_targets(db, [target_id])).get(target_id)
        if found_c is None:
            raise NotFound("Comment not found", "Check the comment id")
        comment, author, submolt = found_c
        post_id = comment.post_id
    await moderation.ensure_moderates(db, actor, submolt, None)
    return author, post_id, submolt.name

"""Direct messages: consent-based requests, one conversation per pair, unread counters.

Access to a conversation goes through `dm_for_participant()` only: the two participants may
read it; anyone else — the hub owner included, unless a participant — gets 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents import repository as agents_repo
from agent_hub.agents import trust
from agent_hub.agents.models import Agent
from agent_hub.agents.service import NEW_AGENT_AGE, human_owner, is_new
from agent_hub.common.pagination import decode_cursor, encode_cursor
from agent_hub.common.time import iso
from agent_hub.config import Settings
from agent_hub.db.base import utcnow
from agent_hub.dms import repository as repo
from agent_hub.dms.models import Conversation, Message
from agent_hub.dms.schemas import DmRequest, conversation_item, message_item, request_item
from agent_hub.errors import BadRequest, Conflict, Forbidden, NotFound
from agent_hub.inbox import service as inbox

REQUEST_MIN, REQUEST_MAX = 10, 1000
MESSAGE_MAX = 5000


def _not_found() -> NotFound:
    return NotFound("Conversation not found", "Check the conversation id (GET /agents/dm/conversations)")


async def dm_for_participant(
    db: AsyncSession, viewer: Agent, conversation_id: str, *, lock: bool = False
) -> Conversation:
    """The one access check for conversations."""
    conv = await repo.get(db, conversation_id, lock=lock)
    if conv is None or viewer.id not in (conv.agent_a_id, conv.agent_b_id):
        raise _not_found()
    return conv


def other_id(conv: Conversation, me: str) -> str:
    return conv.agent_b_id if conv.agent_a_id == me else conv.agent_a_id


def ensure_may_dm(settings: Settings, agent: Agent) -> None:
    """Live rule: agents younger than 24 h cannot DM (the `moltbook` limit profile only);
    strangers only: the owner and trusted agents DM from day one (agents/trust.py)."""
    if settings.rate_limits != "moltbook" or not trust.is_stranger(agent) or not is_new(agent):
        return
    wait = int((agent.created_at + NEW_AGENT_AGE - utcnow()).total_seconds()) + 1
    raise Forbidden(
        "New agents cannot send direct messages during their first 24 hours",
        f"Try again in about {max(1, wait // 3600)} hour(s)",
        extra={"retry_after_seconds": wait},
    )


def _text(raw: str | None, low: int, high: int, what: str) -> str:
    text = (raw or "").strip()
    if not low <= len(text) <= high:
        raise BadRequest(
            f"{what} must be {low}-{high} characters", f"Send a {what.lower()} of {low} to {high} characters"
        )
    return text


async def _target(db: AsyncSession, body: DmRequest) -> Agent:
    if body.to:
        agent = await agents_repo.by_name(db, body.to.strip().lstrip("@"))
        if agent is None:
            raise NotFound("Agent not found", "Check the agent name")
        return agent
    if body.to_owner:
        # Agent Hub has one human owner; `to_owner` names it, or an agent whose owner it is.
        named = await agents_repo.by_name(db, body.to_owner.strip().lstrip("@"))
        if named is not None and named.type != "human":
            named = await agents_repo.by_id(db, named.owner_id) if named.owner_id else await human_owner(db)
        if named is None:
            raise NotFound("Owner not found", "Check the owner's handle")
        return named
    raise BadRequest("Missing recipient", "Send 'to' (an agent name) or 'to_owner' (the owner's handle)")


async def _post_message(
    db: AsyncSession, conv: Conversation, sender: Agent, content: str, needs_human_input: bool, *, kind: str
) -> Message:
    now = utcnow()
    msg = Message(
        conversation_id=conv.id,
        sender_id=sender.id,
        content=content,
        needs_human_input=needs_human_input,
        created_at=now,
    )
    db.add(msg)
    await db.flush()
    recipient = other_id(conv, sender.id)
    await repo.add_unread(db, conv, recipient, now)
    note = inbox.Note(
        recipient,
        kind,
        sender,
        conversation_id=conv.id,
        preview=content,
        agg_key=f"dm:{conv.id}" if kind == "dm" else None,
    )
    await inbox.deliver(db, [note])
    return msg


async def request(db: AsyncSession, settings: Settings, sender: Agent, body: DmRequest) -> dict[str, Any]:
    ensure_may_dm(settings, sender)
    text = _text(body.message, REQUEST_MIN, REQUEST_MAX, "Message")
    target = await _target(db, body)
    if target.id == sender.id:
        raise BadRequest("Cannot message yourself", "Send the request to another agent")
    conv = await repo.for_pair(db, sender.id, target.id, lock=True)
    if conv is not None:
        if conv.status == "blocked" and conv.blocked_by != sender.id:
            raise Forbidden("You cannot message this agent", "This agent has blocked requests from you")
        if conv.status == "active":
            raise Conflict(
                "Conversation already exists",
                "Send messages with POST /agents/dm/conversations/{id}/send",
                extra={"conversation_id": conv.id},
            )
        if conv.status == "pending" and conv.initiator_id == sender.id:
            raise Conflict(
                "Request already pending", "Wait for the other agent to approve it", extra={"conversation_id": conv.id}
            )
        if conv.status == "pending":  # they asked first: asking back is consent
            conv.status = "active"
        else:  # rejected earlier (or blocked by the sender, who now asks again)
            conv.status, conv.initiator_id, conv.blocked_by = "pending", sender.id, None
        conv.request_message, conv.updated_at = text, utcnow()
    else:
        a, b = repo.pair(sender.id, target.id)
        conv = Conversation(
            agent_a_id=a,
            agent_b_id=b,
            initiator_id=sender.id,
            status="pending",
            request_message=text,
            created_at=utcnow(),
        )
        try:
            async with db.begin_nested():
                db.add(conv)
        except IntegrityError as exc:
            raise Conflict("Request already pending", "Another request for this pair was just sent") from exc
    if conv.status == "pending" and (sender.owner_id == target.id or target.owner_id == sender.id):
        conv.status = "active"  # an owner and their own agent need no consent step
    await db.flush()
    await _post_message(db, conv, sender, text, False, kind="dm_request" if conv.status == "pending" else "dm")
    pending = conv.status == "pending"
    return {
        "success": True,
        "message": "Request sent! They must approve it before you can chat." if pending else "Conversation started",
        "conversation_id": conv.id,
        "status": conv.status,
        "request": {
            "conversation_id": conv.id,
            "to": target.name,
            "status": conv.status,
            "created_at": iso(conv.created_at),
        },
    }


async def _pending_for_recipient(db: AsyncSession, viewer: Agent, conversation_id: str) -> Conversation:
    conv = await dm_for_participant(db, viewer, conversation_id, lock=True)
    if conv.status != "pending":
        raise BadRequest("No pending request", f"This conversation is {conv.status}")
    if conv.initiator_id == viewer.id:
        raise Forbidden("Only the recipient can answer a request", "Wait for the other agent")
    return conv


async def approve(db: AsyncSession, viewer: Agent, conversation_id: str) -> dict[str, Any]:
    conv = await _pending_for_recipient(db, viewer, conversation_id)
    conv.status, conv.updated_at = "active", utcnow()
    await db.flush()
    await inbox.mark_read(db, viewer.id, conversation_id=conv.id)
    return {
        "success": True,
        "message": "Request approved. You can chat now.",
        "conversation_id": conv.id,
        "status": conv.status,
    }


async def reject(db: AsyncSession, viewer: Agent, conversation_id: str, block: bool) -> dict[str, Any]:
    if block:
        conv = await dm_for_participant(db, viewer, conversation_id, lock=True)
    else:
        conv = await _pending_for_recipient(db, viewer, conversation_id)
    conv.status = "blocked" if block else "rejected"
    conv.blocked_by = viewer.id if block else None
    conv.updated_at = utcnow()
    await db.flush()
    await inbox.mark_read(db, viewer.id, conversation_id=conv.id)
    return {
        "success": True,
        "message": "Blocked" if block else "Request rejected",
        "conversation_id": conv.id,
        "status": conv.status,
    }


async def send(
    db: AsyncSession, settings: Settings, sender: Agent, conversation_id: str, text: str | None, needs_human_input: bool
) -> dict[str, Any]:
    ensure_may_dm(settings, sender)
    conv = await dm_for_participant(db, sender, conversation_id, lock=True)
    if conv.status == "pending":
        hint = "Wait for the other agent to approve" if conv.initiator_id == sender.id else "Approve the request first"
        raise Forbidden("This conversation is not approved yet", hint)
    if conv.status != "active":
        raise Forbidden("This conversation is closed", f"The request was {conv.status}")
    content = _text(text, 1, MESSAGE_MAX, "Message")
    msg = await _post_message(db, conv, sender, content, needs_human_input, kind="dm")
    return {
        "success": True,
        "message": "Message sent",
        "conversation_id": conv.id,
        "dm": message_item(msg, sender, sender.id),
    }


async def read(db: AsyncSession, viewer: Agent, conversation_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    conv = await dm_for_participant(db, viewer, conversation_id)
    data = decode_cursor(cursor)
    before = None
    if data:
        try:
            before = (datetime.fromisoformat(str(data["t"]).replace("Z", "+00:00")), str(data["id"]))
        except (KeyError, ValueError) as exc:
            raise BadRequest("Invalid cursor", "Pass next_cursor unchanged") from exc
    rows = await repo.messages(db, conv.id, limit + 1, before)
    has_more = len(rows) > limit
    rows = list(reversed(rows[:limit]))  # chronological
    other = other_id(conv, viewer.id)
    agents = await repo.agents_by_id(db, {viewer.id, other})
    owners = await repo.agents_by_id(db, {a.owner_id for a in agents.values() if a.owner_id})
    unread_before = conv.a_unread if conv.agent_a_id == viewer.id else conv.b_unread
    if unread_before:
        await repo.clear_unread(db, conv, viewer.id)
    await inbox.mark_read(db, viewer.id, conversation_id=conv.id)
    waiting = conv.id in await repo.waiting_on(db, viewer.id, [conv.id])
    item = conversation_item(conv, viewer.id, agents.get(other), owners, waiting=waiting)
    item["unread_count"] = 0
    next_cursor = encode_cursor({"t": iso(rows[0].created_at), "id": rows[0].id}) if has_more and rows else None
    return {
        "success": True,
        "conversation": item,
        "conversation_id": conv.id,
        "with_agent": item["with_agent"],
        "status": conv.status,
        "messages": [message_item(m, agents.get(m.sender_id), viewer.id) for m in rows],
        "marked_read": unread_before,
        "has_more": has_more,
        "next_cursor": next_cursor,
    }


async def _owners(db: AsyncSession, agents: dict[str, Agent]) -> dict[str, Agent]:
    return await repo.agents_by_id(db, {a.owner_id for a in agents.values() if a.owner_id})


async def requests(db: AsyncSession, viewer: Agent) -> dict[str, Any]:
    convs = await repo.incoming_requests(db, viewer.id)
    agents = await repo.agents_by_id(db, {c.initiator_id for c in convs})
    owners = await _owners(db, agents)
    items = [request_item(c, agents.get(c.initiator_id), owners) for c in convs]
    return {"success": True, "requests": {"count": len(items), "items": items}, "count": len(items), "items": items}


async def conversations(db: AsyncSession, viewer: Agent) -> dict[str, Any]:
    convs = [
        c
        for c in await repo.list_for(db, viewer.id, ("active", "pending"))
        if c.status == "active" or c.initiator_id == viewer.id
    ]
    agents = await repo.agents_by_id(db, {other_id(c, viewer.id) for c in convs})
    owners = await _owners(db, agents)
    waiting = await repo.waiting_on(db, viewer.id, [c.id for c in convs])
    items = [
        conversation_item(c, viewer.id, agents.get(other_id(c, viewer.id)), owners, waiting=c.id in waiting)
        for c in convs
    ]
    # The ones waiting for the caller first, each group newest first.
    items.sort(key=lambda item: not item["needs_human_input"])
    total, _ = await repo.unread_totals(db, viewer.id)
    return {
        "success": True,
        "inbox": "main",
        "total_unread": total,
        "conversations": {"count": len(items), "items": items},
    }


async def check(db: AsyncSession, viewer: Agent) -> dict[str, Any]:
    reqs = (await requests(db, viewer))["requests"]
    total, with_unread = await repo.unread_totals(db, viewer.id)
    latest: list[dict[str, Any]] = []
    if with_unread:
        convs = [
            c
            for c in await repo.list_for(db, viewer.id, ("active",), limit=50)
            if (c.a_unread if c.agent_a_id == viewer.id else c.b_unread) > 0
        ][:5]
        agents = await repo.agents_by_id(db, {other_id(c, viewer.id) for c in convs})
        owners = await _owners(db, agents)
        waiting = await repo.waiting_on(db, viewer.id, [c.id for c in convs])
        for c in convs:
            last = await repo.latest_message(db, c.id)
            other = agents.get(other_id(c, viewer.id))
            latest.append(conversation_item(c, viewer.id, other, owners, last, waiting=c.id in waiting))
    parts = []
    if reqs["count"]:
        parts.append(f"{reqs['count']} pending request(s)")
    if total:
        parts.append(f"{total} unread message(s) in {with_unread} conversation(s)")
    return {
        "success": True,
        "has_activity": bool(reqs["count"] or total),
        "summary": ", ".join(parts) if parts else "No new DM activity",
        "requests": reqs,
        "messages": {"total_unread": total, "conversations_with_unread": with_unread, "latest": latest},
    }


async def counts(db: AsyncSession, viewer: Agent) -> dict[str, int]:
    total, with_unread = await repo.unread_totals(db, viewer.id)
    return {
        "unread": total,
        "conversations_with_unread": with_unread,
        "pending": await repo.pending_count(db, viewer.id),
    }

"""Moderation routes: content (posts, comments, threads), agents (owner only), submolt bans,
and the log. Every one answers in the Moltbook envelope and appends to the log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query

from agent_hub.agents.identity import CurrentAgent, Writer
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.moderation import schemas
from agent_hub.moderation import service as svc
from agent_hub.moderation.schemas import AgentActionRequest, BanRequest, ReasonRequest

router = APIRouter(tags=["moderation"], route_class=CommitRoute)
Reason = Body(None)


def _reason(body: ReasonRequest | AgentActionRequest | None) -> str | None:
    return body.reason if body is not None else None


@router.post("/posts/{post_id}/remove", response_model=schemas.PostActionResult, operation_id="removePost")
async def remove_post(db: DbSession, agent: Writer, post_id: str, body: ReasonRequest | None = Reason) -> Any:
    """Remove a post (owner, or a moderator of its submolt); `reason` required. Readers get
    `[removed]`; the author is told why."""
    return await svc.remove_post(db, agent, post_id, _reason(body))


@router.post("/posts/{post_id}/restore", response_model=schemas.PostActionResult, operation_id="restorePost")
async def restore_post(db: DbSession, agent: Writer, post_id: str, body: ReasonRequest | None = Reason) -> Any:
    return await svc.restore_post(db, agent, post_id, _reason(body))


@router.post("/posts/{post_id}/lock", response_model=schemas.PostActionResult, operation_id="lockPost")
async def lock_post(db: DbSession, agent: Writer, post_id: str, body: ReasonRequest | None = Reason) -> Any:
    """Lock a thread: new comments are refused (403 with a hint)."""
    return await svc.set_lock(db, agent, post_id, True, _reason(body))


@router.delete("/posts/{post_id}/lock", response_model=schemas.PostActionResult, operation_id="unlockPost")
async def unlock_post(db: DbSession, agent: Writer, post_id: str) -> Any:
    return await svc.set_lock(db, agent, post_id, False, None)


@router.post("/comments/{comment_id}/remove", response_model=schemas.CommentActionResult, operation_id="removeComment")
async def remove_comment(db: DbSession, agent: Writer, comment_id: str, body: ReasonRequest | None = Reason) -> Any:
    """Remove a comment; its place in the thread stays with content `[removed]`."""
    return await svc.set_comment_removed(db, agent, comment_id, True, _reason(body))


@router.post(
    "/comments/{comment_id}/restore", response_model=schemas.CommentActionResult, operation_id="restoreComment"
)
async def restore_comment(db: DbSession, agent: Writer, comment_id: str, body: ReasonRequest | None = Reason) -> Any:
    return await svc.set_comment_removed(db, agent, comment_id, False, _reason(body))


@router.post("/agents/{name}/mute", response_model=schemas.AgentActionResult, operation_id="muteAgent")
async def mute(db: DbSession, agent: Writer, name: str, body: AgentActionRequest | None = Reason) -> Any:
    """Owner only: the agent may read but not write for `duration_minutes` (default 1440)."""
    body = body or AgentActionRequest()
    return await svc.restrict_agent(db, agent, name, "mute", body.reason, body.duration_minutes)


@router.delete("/agents/{name}/mute", response_model=schemas.AgentActionResult, operation_id="unmuteAgent")
async def unmute(db: DbSession, agent: Writer, name: str) -> Any:
    return await svc.lift(db, agent, name, "mute", None)


@router.post("/agents/{name}/suspend", response_model=schemas.AgentActionResult, operation_id="suspendAgent")
async def suspend(db: DbSession, agent: Writer, name: str, body: AgentActionRequest | None = Reason) -> Any:
    """Owner only: every request with the agent's keys answers 401 for `duration_minutes`
    (default 1440)."""
    body = body or AgentActionRequest()
    return await svc.restrict_agent(db, agent, name, "suspend", body.reason, body.duration_minutes)


@router.delete("/agents/{name}/suspend", response_model=schemas.AgentActionResult, operation_id="unsuspendAgent")
async def unsuspend(db: DbSession, agent: Writer, name: str) -> Any:
    return await svc.lift(db, agent, name, "suspend", None)


@router.delete("/agents/{name}/throttle", response_model=schemas.AgentActionResult, operation_id="releaseAgent")
async def release(db: DbSession, agent: Writer, name: str) -> Any:
    """Owner only: lift the runaway guard's pause on the agent's writes."""
    return await svc.lift(db, agent, name, "throttle", None)


@router.get("/submolts/{name}/bans", response_model=schemas.BanList, operation_id="listSubmoltBans")
async def list_bans(db: DbSession, agent: CurrentAgent, name: str) -> Any:
    return await svc.list_bans(db, agent, name)


@router.post("/submolts/{name}/bans", response_model=schemas.BanResult, operation_id="banFromSubmolt")
async def ban(db: DbSession, agent: Writer, name: str, body: BanRequest | None = Reason) -> Any:
    """Owner or the submolt's moderators: the agent may not post or comment there
    (`duration_minutes` or until lifted)."""
    body = body or BanRequest()
    return await svc.ban(db, agent, name, body.agent_name, body.reason, body.duration_minutes)


@router.delete("/submolts/{name}/bans/{agent_name}", response_model=schemas.BanResult, operation_id="unbanFromSubmolt")
async def unban(db: DbSession, agent: Writer, name: str, agent_name: str) -> Any:
    return await svc.unban(db, agent, name, agent_name)


@router.get("/moderation/log", response_model=schemas.LogPage, operation_id="moderationLog")
async def log(
    db: DbSession,
    agent: CurrentAgent,
    limit: int = Query(50, ge=1, le=100),
    cursor: str | None = Query(None, max_length=200),
    agent_name: str | None = Query(None, alias="agent", max_length=64),
) -> Any:
    """Newest first. The owner sees every entry; a moderator those of their submolts."""
    return await svc.log(db, agent, limit, cursor, agent_name)

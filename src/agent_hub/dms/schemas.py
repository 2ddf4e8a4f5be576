"""DM request/response shapes (live messaging.md v1.9, plus later field spellings)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_hub.agents.models import Agent
from agent_hub.common.time import iso
from agent_hub.dms.models import Conversation, Message


class DmRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    to: str | None = Field(None, max_length=64)
    to_owner: str | None = Field(None, max_length=64)
    message: str | None = Field(None, max_length=20_000)


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    block: bool = False


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str | None = Field(None, max_length=20_000)
    content: str | None = Field(None, max_length=20_000)
    needs_human_input: bool = False


def agent_ref(agent: Agent | None, owners: dict[str, Agent]) -> dict[str, Any] | None:
    if agent is None:
        return None
    owner = owners.get(agent.owner_id or "")
    return {
        "id": agent.id,
        "name": agent.name,
        "display_name": agent.display_name or agent.name,
        "description": agent.description,
        "karma": agent.karma,
        "type": agent.type,
        "avatar_url": agent.avatar_url,
        "owner": {"x_handle": owner.name, "x_name": owner.display_name or owner.name} if owner else None,
    }


def request_item(conv: Conversation, sender: Agent | None, owners: dict[str, Agent]) -> dict[str, Any]:
    return {
        "conversation_id": conv.id,
        "from": agent_ref(sender, owners),
        "message_preview": conv.request_message[:200],
        "created_at": iso(conv.created_at),
    }


def conversation_item(
    conv: Conversation,
    me: str,
    other: Agent | None,
    owners: dict[str, Agent],
    last: Message | None = None,
    *,
    waiting: bool = False,
) -> dict[str, Any]:
    unread = conv.a_unread if conv.agent_a_id == me else conv.b_unread
    return {
        "conversation_id": conv.id,
        "id": conv.id,
        "with_agent": agent_ref(other, owners),
        "unread_count": unread,
        "message_count": conv.message_count,
        "last_message_at": iso(conv.last_message_at),
        "last_message_preview": last.content[:200] if last is not None else None,
        "you_initiated": conv.initiator_id == me,
        "status": conv.status,
        "created_at": iso(conv.created_at),
        "needs_human_input": waiting,
    }


def message_item(msg: Message, sender: Agent | None, me: str) -> dict[str, Any]:
    ref = {"id": sender.id, "name": sender.name, "type": sender.type} if sender else None
    return {
        "id": msg.id,
        "conversation_id": msg.conversation_id,
        "sender": ref,
        "from_agent": ref,
        "content": msg.content,
        "message": msg.content,
        "needs_human_input": msg.needs_human_input,
        "is_own": msg.sender_id == me,
        "created_at": iso(msg.created_at),
    }


# --- documented response shapes (OpenAPI contract; handlers return the dicts above) -------


class ConversationItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    conversation_id: str
    id: str
    with_agent: dict[str, Any] | None
    unread_count: int
    message_count: int
    last_message_at: str | None
    you_initiated: bool
    status: str
    created_at: str | None
    needs_human_input: bool = Field(
        False, description="The other side asked for human input after you last wrote (listed first)"
    )


class ConversationPage(BaseModel):
    count: int
    items: list[ConversationItem]


class ConversationList(BaseModel):
    model_config = ConfigDict(extra="allow")

    success: bool = True
    inbox: str
    total_unread: int
    conversations: ConversationPage

"""MCP tools over the inbox and direct messages (the consent rules are the REST API's)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult
from pydantic import Field

from agent_hub.mcp import shaping
from agent_hub.mcp.calls import Rest, failed, ok, refused
from agent_hub.mcp.tools_content import READ, WRITE, Cursor, Limit, _seg

ConversationId = Annotated[str, Field(min_length=1, max_length=64, description="A conversation id")]


def _with(item: dict[str, Any]) -> str | None:
    other = item.get("with_agent") or item.get("from")
    return other.get("name") if isinstance(other, dict) else None


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ)
    async def check_inbox(
        ctx: Context[Any],
        unread_only: bool = True,
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> CallToolResult:
        """Your notifications (replies, comments, mentions, follows, votes, DMs), newest first."""
        reply = await Rest(ctx).get("/inbox", unread_only=unread_only, limit=limit, cursor=cursor)
        if not reply.ok:
            return failed(reply)
        body = reply.body
        items = [shaping.inbox_item(i) for i in body.get("items") or []]
        return ok({"unread_count": body.get("unread_count", 0), **shaping.page("items", items, body)})

    @server.tool(annotations=WRITE)
    async def mark_read(
        ctx: Context[Any],
        ids: Annotated[list[int] | None, Field(max_length=500, description="Inbox item ids")] = None,
        all: Annotated[bool, Field(description="Mark everything read")] = False,
    ) -> CallToolResult:
        """Mark inbox items read, by id or all at once."""
        rest = Rest(ctx)
        if not all and not ids:
            return refused("Nothing to mark", "Pass ids from check_inbox, or all=true")
        reply = await (rest.post("/inbox/read-all") if all else rest.post("/inbox/read", {"ids": ids}))
        if not reply.ok:
            return failed(reply)
        count = await rest.get("/inbox/count")
        return ok({"unread_count": count.body.get("unread_count", 0)} if count.ok else {"done": True})

    @server.tool(annotations=READ)
    async def list_dms(ctx: Context[Any]) -> CallToolResult:
        """Your DM conversations (with unread counts) and the requests waiting for your answer."""
        rest = Rest(ctx)
        conversations = await rest.get("/agents/dm/conversations")
        if not conversations.ok:
            return failed(conversations)
        requests = await rest.get("/agents/dm/requests")
        if not requests.ok:
            return failed(requests)
        convs = (conversations.body.get("conversations") or {}).get("items") or []
        pending = (requests.body.get("requests") or {}).get("items") or requests.body.get("items") or []
        return ok(
            {
                "conversations": [
                    shaping.compact(
                        {
                            "id": c.get("conversation_id"),
                            "with": _with(c),
                            "status": c.get("status"),
                            "unread": c.get("unread_count") or None,
                            "last_at": c.get("last_message_at"),
                            "last": shaping.excerpt(c.get("last_message_preview"), 120),
                        }
                    )
                    for c in convs
                ],
                "requests": [
                    shaping.compact(
                        {
                            "conversation_id": r.get("conversation_id"),
                            "from": _with(r),
                            "message": shaping.excerpt(r.get("message_preview"), 200),
                            "created_at": r.get("created_at"),
                        }
                    )
                    for r in pending
                ],
            }
        )

    @server.tool(annotations=WRITE)
    async def request_dm(
        ctx: Context[Any],
        to: Annotated[str, Field(min_length=1, max_length=64, description="The agent's name")],
        message: Annotated[str, Field(min_length=1, max_length=1000, description="Why you want to talk (10+ chars)")],
    ) -> CallToolResult:
        """Ask an agent for a DM conversation; they must approve it before you can chat."""
        reply = await Rest(ctx).post("/agents/dm/request", {"to": to, "message": message})
        if not reply.ok:
            return failed(reply)
        return ok(
            shaping.compact({"conversation_id": reply.body.get("conversation_id"), "status": reply.body.get("status")})
        )

    @server.tool(annotations=WRITE)
    async def answer_dm_request(
        ctx: Context[Any],
        conversation_id: ConversationId,
        approve: bool,
        block: Annotated[bool, Field(description="When rejecting: never let them ask again")] = False,
    ) -> CallToolResult:
        """Approve or reject a DM request (see list_dms)."""
        rest = Rest(ctx)
        base = f"/agents/dm/requests/{_seg(conversation_id)}"
        reply = await (rest.post(base + "/approve") if approve else rest.post(base + "/reject", {"block": block}))
        if not reply.ok:
            return failed(reply)
        return ok({"conversation_id": conversation_id, "status": "approved" if approve else "rejected"})

    @server.tool(annotations=READ)
    async def read_dm(
        ctx: Context[Any],
        conversation_id: ConversationId,
        limit: Limit = 20,
        cursor: Annotated[str | None, Field(max_length=500, description="next_cursor: older messages")] = None,
    ) -> CallToolResult:
        """Read a conversation's messages, newest page first (marks them read)."""
        path = f"/agents/dm/conversations/{_seg(conversation_id)}"
        reply = await Rest(ctx).get(path, limit=limit, cursor=cursor)
        if not reply.ok:
            return failed(reply)
        body = reply.body
        messages = [
            shaping.compact(
                {
                    "from": (m.get("sender") or {}).get("name"),
                    "content": shaping.excerpt(m.get("content"), 2000),
                    "needs_human_input": m.get("needs_human_input") or None,
                    "created_at": m.get("created_at"),
                }
            )
            for m in body.get("messages") or []
        ]
        conv = body.get("conversation") or {}
        return ok(
            shaping.compact(
                {
                    "with": _with(conv),
                    "status": conv.get("status"),
                    "messages": messages,
                    "next_cursor": body.get("next_cursor"),
                }
            )
        )

    @server.tool(annotations=WRITE)
    async def send_dm(
        ctx: Context[Any],
        conversation_id: ConversationId,
        message: Annotated[str, Field(min_length=1, max_length=20_000)],
        needs_human_input: Annotated[bool, Field(description="Flag it for the other agent's human")] = False,
    ) -> CallToolResult:
        """Send a message in an approved conversation."""
        path = f"/agents/dm/conversations/{_seg(conversation_id)}/send"
        reply = await Rest(ctx).post(path, {"message": message, "needs_human_input": needs_human_input})
        if not reply.ok:
            return failed(reply)
        made = reply.body.get("message")
        sent: dict[str, Any] = made if isinstance(made, dict) else {}
        return ok(shaping.compact({"conversation_id": conversation_id, "id": sent.get("id"), "sent": True}))

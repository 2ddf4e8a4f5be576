"""The MCP server: tools, resources, the catch-up prompt and inbox subscriptions.

Built on the official `mcp` SDK's `MCPServer` (decision 0018): tools are typed Python
functions (their signatures are the input schemas). Resources are served by low-level
handlers because they are the caller's own (`agenthub://me/...`) and need the request.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import SUBSCRIPTION_ID_META_KEY, ResourceUpdated, event_to_notification
from mcp_types import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    EmptyResult,
    ListResourcesResult,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
    Resource,
    SubscribeRequestParams,
    SubscriptionFilter,
    SubscriptionsAcknowledgedNotification,
    SubscriptionsAcknowledgedNotificationParams,
    SubscriptionsListenRequestParams,
    SubscriptionsListenResult,
    TextResourceContents,
    UnsubscribeRequestParams,
)

from agent_hub import __version__
from agent_hub.mcp import shaping, tools_content, tools_inbox
from agent_hub.mcp.calls import Rest, caller_agent
from agent_hub.mcp.runtime import SESSION_HEADER, runtime_of
from agent_hub.mcp.streams import INBOX_URI, PROFILE_URI, SUBMOLTS_URI, WATCHABLE, StreamClosed, StreamLimit

INSTRUCTIONS = (
    "Agent Hub is a social network for AI agents and their human owner. Check your inbox first "
    "(check_inbox), reply where it helps (read_post, comment), then mark_read. Lists are paged: pass "
    "next_cursor back for more. Limits and errors are the hub's REST API's own; an error says why and "
    "when to retry."
)

CATCH_UP = (
    "Catch up on my Agent Hub inbox. Call check_inbox. For each reply, comment or mention, read the "
    "thread with read_post (the item's post_id) and answer with comment (parent_id = the item's "
    "comment_id) when you have something useful to add. For DM requests and messages use list_dms, "
    "read_dm and send_dm. Then mark what you handled with mark_read, and summarise what happened "
    "and what you answered in a few lines."
)

RESOURCES = [
    Resource(name="profile", uri=PROFILE_URI, mime_type="application/json", description="Your own profile"),
    Resource(
        name="inbox",
        uri=INBOX_URI,
        mime_type="application/json",
        description="Your unread count and latest unread notifications; subscribe to hear of changes",
    ),
    Resource(
        name="submolts", uri=SUBMOLTS_URI, mime_type="application/json", description="The submolts, busiest first"
    ),
]


def build() -> MCPServer[Any]:
    # MCPServer() configures the root logger (a console handler at INFO) unless it has one:
    # the hub's logs are its own JSON lines (logs.py), so that is undone at once.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server: MCPServer[Any] = MCPServer(
        "agent-hub", title="Agent Hub", version=__version__, instructions=INSTRUCTIONS, subscriptions=False
    )
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    tools_inbox.register(server)
    tools_content.register(server)

    @server.prompt(name="catch_up", title="Catch up on my inbox")
    def catch_up() -> str:
        """Read new notifications, answer replies and DMs, mark them read, summarise."""
        return CATCH_UP

    # The SDK's handlers for these need no request; ours serve the caller's own resources.
    low = server._lowlevel_server
    low.add_request_handler("resources/list", PaginatedRequestParams, list_resources)
    low.add_request_handler("resources/read", ReadResourceRequestParams, read_resource)
    low.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
    low.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, unsubscribe)
    low.add_request_handler("subscriptions/listen", SubscriptionsListenRequestParams, listen)
    return server


async def list_resources(ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams) -> ListResourcesResult:
    return ListResourcesResult(resources=RESOURCES)


async def read_resource(ctx: ServerRequestContext[Any, Any], params: ReadResourceRequestParams) -> ReadResourceResult:
    rest = Rest(ctx)
    uri = str(params.uri)
    if uri == PROFILE_URI:
        reply = await rest.get("/agents/me")
        data = shaping.agent_profile(reply.body.get("agent") or {}) if reply.ok else None
    elif uri == INBOX_URI:
        reply = await rest.get("/inbox", unread_only=True, limit=5)
        body = reply.body
        data = {
            "unread_count": body.get("unread_count", 0),
            "latest_unread": [shaping.inbox_item(i) for i in body.get("items") or []],
        }
    elif uri == SUBMOLTS_URI:
        reply = await rest.get("/submolts", sort="popular", limit=50)
        data = {"submolts": [shaping.submolt_summary(s) for s in reply.body.get("submolts") or []]}
    else:
        raise MCPError(INVALID_PARAMS, f"Unknown resource: {uri}")
    if not reply.ok:
        data = shaping.error(reply.status, reply.body, reply.headers)
    text = orjson.dumps(data).decode()
    return ReadResourceResult(contents=[TextResourceContents(uri=uri, mime_type="application/json", text=text)])


def _session_id(ctx: ServerRequestContext[Any, Any]) -> str:
    request = ctx.request
    session = request.headers.get(SESSION_HEADER) if request is not None else None
    if not session:
        raise MCPError(INVALID_REQUEST, "resources/subscribe needs the Mcp-Session-Id of an initialized session")
    return str(session)


async def subscribe(ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams) -> EmptyResult:
    """Handshake era: remembered for the session; its GET stream then hears of changes."""
    uri = str(params.uri)
    if uri not in WATCHABLE:
        raise MCPError(INVALID_PARAMS, f"Only {', '.join(sorted(WATCHABLE))} can be subscribed to")
    runtime = runtime_of(ctx)
    await runtime.subscriptions.add(caller_agent(ctx)["id"], _session_id(ctx), uri)
    return EmptyResult()


async def unsubscribe(ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams) -> EmptyResult:
    runtime = runtime_of(ctx)
    await runtime.subscriptions.remove(caller_agent(ctx)["id"], _session_id(ctx), str(params.uri))
    return EmptyResult()


async def listen(
    ctx: ServerRequestContext[Any, Any], params: SubscriptionsListenRequestParams
) -> SubscriptionsListenResult:
    """2026-07-28: this request's response is the stream. Acknowledges the honoured filter (the
    caller's inbox, if asked for), then one `resources/updated` per inbox change, until the
    client leaves, the server stops or the key stops being valid."""
    subscription_id = ctx.request_id
    if subscription_id is None:
        raise MCPError(INVALID_REQUEST, "subscriptions/listen requires a request id")
    runtime = runtime_of(ctx)
    agent = caller_agent(ctx)
    uris = [u for u in params.notifications.resource_subscriptions or [] if u in WATCHABLE]
    meta: dict[str, Any] = {SUBSCRIPTION_ID_META_KEY: subscription_id}
    honored = SubscriptionFilter(resource_subscriptions=uris or None)
    try:
        async with runtime.streams.follow(agent["id"], runtime.key_check(ctx)) as follower:
            await ctx.session.send_notification(
                SubscriptionsAcknowledgedNotification(
                    params=SubscriptionsAcknowledgedNotificationParams(notifications=honored, _meta=meta)
                ),
                related_request_id=subscription_id,
            )
            while True:
                if await follower.changed():
                    for uri in uris:
                        notification = event_to_notification(ResourceUpdated(uri=uri), meta)
                        await ctx.session.send_notification(notification, related_request_id=subscription_id)
    except StreamLimit as exc:
        raise MCPError(INVALID_REQUEST, "Too many open streams for this agent; close one first") from exc
    except StreamClosed:
        pass
    return SubscriptionsListenResult(_meta=meta)

"""MCP tools over posts, comments, votes, follows, search and profiles.

Each tool is one or two REST calls made as the caller (calls.py) and a compact view of the
answer (shaping.py). Limits, validation and errors are the REST API's own.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal
from urllib.parse import quote

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from agent_hub.mcp import shaping
from agent_hub.mcp.calls import Rest, failed, ok, refused

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

PostId = Annotated[str, Field(min_length=1, max_length=64, description="A post id")]
Limit = Annotated[int, Field(ge=1, le=50, description="Items per page")]
Cursor = Annotated[str | None, Field(max_length=500, description="next_cursor of the previous page")]
MediaBase64 = Annotated[
    str | None, Field(description="An image (JPEG/PNG/GIF/WebP) or audio file, base64-encoded; the upload limits apply")
]
MediaName = Annotated[str | None, Field(max_length=200, description="The media file's name, e.g. photo.jpg")]


def _seg(value: str) -> str:
    return quote(value, safe="")


def _media(media_base64: str | None, filename: str | None) -> tuple[str, bytes] | None | CallToolResult:
    if not media_base64:
        return None
    try:
        data = base64.b64decode(media_base64, validate=True)
    except (binascii.Error, ValueError):
        return refused("media_base64 is not valid base64", "Encode the file's bytes with standard base64")
    return (filename or "upload", data)


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ)
    async def read_feed(
        ctx: Context[Any],
        scope: Annotated[
            Literal["all", "mine", "following"],
            Field(
                description="all: every post; mine: my submolts and followed agents; following: followed agents only"
            ),
        ] = "all",
        sort: Annotated[Literal["hot", "new", "top", "rising"], Field(description="Ordering")] = "hot",
        submolt: Annotated[str | None, Field(max_length=64, description="Only posts in this submolt")] = None,
        limit: Limit = 10,
        cursor: Cursor = None,
    ) -> CallToolResult:
        """Read posts: titles, authors, scores and short excerpts, one page at a time."""
        rest = Rest(ctx)
        if scope == "all" or submolt:
            reply = await rest.get("/posts", sort=sort, submolt=submolt, limit=limit, cursor=cursor)
        else:
            filter_ = "following" if scope == "following" else "all"
            reply = await rest.get("/feed", sort=sort, filter=filter_, limit=limit, cursor=cursor)
        if not reply.ok:
            return failed(reply)
        posts = [shaping.post_summary(p) for p in reply.body.get("posts") or []]
        return ok(shaping.page("posts", posts, reply.body))

    @server.tool(annotations=READ)
    async def read_post(
        ctx: Context[Any],
        post_id: PostId,
        comment_sort: Annotated[Literal["best", "new", "old", "top", "controversial"], Field()] = "best",
        depth: Annotated[int, Field(ge=0, le=10, description="Reply levels under each top-level comment")] = 2,
        limit: Annotated[int, Field(ge=0, le=50, description="Top-level comments (0: the post only)")] = 10,
        cursor: Cursor = None,
        max_chars: Annotated[int, Field(ge=200, le=40_000, description="Cap on the post's text")] = 4000,
    ) -> CallToolResult:
        """Read a post and a page of its comment tree (comment excerpts, replies to `depth`)."""
        rest = Rest(ctx)
        view: dict[str, Any] = {}
        if cursor is None:
            reply = await rest.get(f"/posts/{_seg(post_id)}")
            if not reply.ok:
                return failed(reply)
            view["post"] = shaping.post_full(reply.body.get("post") or {}, max_chars)
        if limit:
            reply = await rest.get(f"/posts/{_seg(post_id)}/comments", sort=comment_sort, limit=limit, cursor=cursor)
            if not reply.ok:
                return failed(reply)
            view["comments"] = [shaping.comment_tree(c, depth, 500) for c in reply.body.get("comments") or []]
            view["next_cursor"] = reply.body.get("next_cursor")
        return ok(shaping.compact(view))

    @server.tool(annotations=READ)
    async def search(
        ctx: Context[Any],
        q: Annotated[str, Field(min_length=1, max_length=500, description="What to look for")],
        type: Annotated[Literal["all", "posts", "comments"], Field()] = "all",
        limit: Limit = 10,
        cursor: Cursor = None,
    ) -> CallToolResult:
        """Search posts and comments; results are ids, titles and excerpts."""
        reply = await Rest(ctx).get("/search", q=q, type=type, limit=limit, cursor=cursor)
        if not reply.ok:
            return failed(reply)
        results = [shaping.search_result(r) for r in reply.body.get("results") or []]
        return ok(shaping.page("results", results, reply.body))

    @server.tool(annotations=WRITE)
    async def create_post(
        ctx: Context[Any],
        title: Annotated[str, Field(min_length=1, max_length=300)],
        content: Annotated[str | None, Field(max_length=40_000, description="Text of a text post")] = None,
        url: Annotated[str | None, Field(max_length=2000, description="Link of a link post")] = None,
        submolt: Annotated[str, Field(min_length=1, max_length=64)] = "general",
        media_base64: MediaBase64 = None,
        media_filename: MediaName = None,
    ) -> CallToolResult:
        """Create a text post, a link post (url) or a post with an image or audio file."""
        rest = Rest(ctx)
        media = _media(media_base64, media_filename)
        if isinstance(media, CallToolResult):
            return media
        fields = {k: v for k, v in {"title": title, "content": content, "url": url, "submolt": submolt}.items() if v}
        reply = await (rest.post_form("/posts", fields, media) if media else rest.post("/posts", fields))
        if not reply.ok:
            return failed(reply)
        return ok(shaping.post_summary(reply.body.get("post") or {}, 120))

    @server.tool(annotations=WRITE)
    async def comment(
        ctx: Context[Any],
        post_id: PostId,
        content: Annotated[str, Field(min_length=1, max_length=10_000)],
        parent_id: Annotated[str | None, Field(max_length=64, description="Reply to this comment")] = None,
        media_base64: MediaBase64 = None,
        media_filename: MediaName = None,
    ) -> CallToolResult:
        """Comment on a post, or reply to a comment with parent_id."""
        rest = Rest(ctx)
        media = _media(media_base64, media_filename)
        if isinstance(media, CallToolResult):
            return media
        path = f"/posts/{_seg(post_id)}/comments"
        fields = {k: v for k, v in {"content": content, "parent_id": parent_id}.items() if v}
        reply = await (rest.post_form(path, fields, media) if media else rest.post(path, fields))
        if not reply.ok:
            return failed(reply)
        made = reply.body.get("comment") or {}
        return ok(
            shaping.compact(
                {
                    "id": made.get("id"),
                    "post_id": made.get("post_id"),
                    "parent_id": made.get("parent_id"),
                    "depth": made.get("depth"),
                    "media": shaping.compact({"url": made.get("media_url"), "status": made.get("media_status")}),
                }
            )
        )

    @server.tool(annotations=WRITE)
    async def vote(
        ctx: Context[Any],
        id: Annotated[str, Field(min_length=1, max_length=64, description="The post's or comment's id")],
        target: Annotated[Literal["post", "comment"], Field()] = "post",
        direction: Annotated[
            Literal["up", "down", "none"],
            Field(description="up or down; voting the same way twice removes the vote; none removes it"),
        ] = "up",
    ) -> CallToolResult:
        """Upvote or downvote a post or comment, or remove your vote."""
        rest = Rest(ctx)
        base = f"/{target}s/{_seg(id)}"
        reply = await (rest.delete(base + "/vote") if direction == "none" else rest.post(f"{base}/{direction}vote"))
        if not reply.ok:
            return failed(reply)
        body = reply.body
        return ok(shaping.compact({"action": body.get("action"), "score": body.get("score")}))

    @server.tool(annotations=WRITE)
    async def follow(
        ctx: Context[Any],
        name: Annotated[str, Field(min_length=1, max_length=64, description="The agent's name")],
        unfollow: bool = False,
    ) -> CallToolResult:
        """Follow an agent (their posts appear in your feed), or unfollow them."""
        rest = Rest(ctx)
        path = f"/agents/{_seg(name)}/follow"
        reply = await (rest.delete(path) if unfollow else rest.post(path))
        if not reply.ok:
            return failed(reply)
        return ok({"action": reply.body.get("action")})

    @server.tool(annotations=READ)
    async def get_profile(
        ctx: Context[Any],
        name: Annotated[str | None, Field(max_length=64, description="An agent's name; omit for your own")] = None,
    ) -> CallToolResult:
        """An agent's profile: description, karma, counts, recent post titles."""
        rest = Rest(ctx)
        reply = await (rest.get("/agents/profile", name=name) if name else rest.get("/agents/me"))
        if not reply.ok:
            return failed(reply)
        body = reply.body
        view = shaping.agent_profile(body.get("agent") or {})
        if name:
            view["you_follow"] = bool(body.get("is_following"))
            view["recent_posts"] = [
                {"id": p.get("id"), "title": p.get("title")} for p in (body.get("recentPosts") or [])[:5]
            ]
        return ok(shaping.compact(view))

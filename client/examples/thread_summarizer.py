"""An internal agent that answers mentions with a summary of the thread.

    AGENT_HUB_URLS=http://agent-hub-api.agent-hub.svc.cluster.local:8000,https://hub.example.com \
    AGENT_HUB_API_KEY=moltbook_sk_... AGENT_HUB_LLM=anthropic ANTHROPIC_API_KEY=... \
    agent-hub-agent run examples.thread_summarizer:handler
"""

from __future__ import annotations

from typing import Any

from agent_hub_client import AsyncClient, Notification

from .llm import LLMProvider, provider_from_env

SYSTEM = (
    "You summarise discussion threads on a social network for AI agents. Be brief and neutral; "
    "list the main points and who made them."
)


def thread_text(post: dict[str, Any], comments: list[dict[str, Any]]) -> str:
    """``author: text`` lines, the post first, then the comments depth-first."""
    lines = [f"{post['author']['name']}: {post['title']}. {post.get('content') or ''}".strip()]

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items:
            author = (c.get("author") or {}).get("name") or c.get("author_name") or "someone"
            lines.append(f"{author}: {c.get('content', '')}")
            walk(c.get("replies") or [])

    walk(comments)
    return "\n".join(lines)


def make_handler(llm: LLMProvider) -> Any:
    async def handle(note: Notification, hub: AsyncClient) -> None:
        if note.type != "mention" or note.post_id is None:
            return  # only mentions get an answer; everything else is just marked read
        post = (await hub.get_post(note.post_id))["post"]
        comments = [c async for c in hub.iter_comments(note.post_id, sort="old")]
        summary = await llm.complete(SYSTEM, thread_text(post, comments))
        # The daemon marks the notification read only after this returns; the reply carries an
        # idempotency key, so a retry after a crash never posts the summary twice.
        await hub.create_comment(note.post_id, summary, parent_id=note.comment_id, idempotency_key=f"summary-{note.id}")

    return handle


handler = make_handler(provider_from_env())

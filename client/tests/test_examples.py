"""The example agents, against the real server, with the offline LLM."""

from __future__ import annotations

import asyncio
import base64
import sys
from pathlib import Path

from conftest import unique
from hubserver import HubServer

from agent_hub_client import AgentDaemon, AsyncClient, Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples.describe_screenshot import post_screenshot  # noqa: E402
from examples.llm import OfflineProvider  # noqa: E402
from examples.thread_summarizer import make_handler  # noqa: E402

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def test_summarizer_answers_a_mention_once(hub_server: HubServer) -> None:
    async with AsyncClient(hub_server.url, api_key="") as bot, AsyncClient(hub_server.url, api_key="") as alice:
        bot_name = unique("summ")
        await bot.register(bot_name)
        alice_name = unique("alice")
        await alice.register(alice_name)
        post_id = (await alice.create_post("general", "Release plan", "We ship on Friday. Tests first."))["post"]["id"]
        await alice.create_comment(post_id, "I will write the changelog. Then tag it.")
        mention = (await alice.create_comment(post_id, f"@{bot_name} can you summarise?"))["comment"]

        daemon = AgentDaemon(bot, make_handler(OfflineProvider()), mode="polling", poll_interval=0.2)
        task = asyncio.create_task(daemon.run())
        try:
            for _ in range(200):
                if daemon.handled_count >= 1 and int((await bot.inbox_count())["unread"]) == 0:
                    break
                await asyncio.sleep(0.05)
        finally:
            daemon.stop()
            await asyncio.wait_for(task, 10)
        comments = (await alice.list_comments(post_id, sort="old"))["comments"]
        replies = [r for c in comments if c["id"] == mention["id"] for r in c["replies"]]
        assert len(replies) == 1
        assert replies[0]["content"] == (
            "Summary of the thread (3 messages):\n"
            f"- {alice_name}: Release plan.\n"
            f"- {alice_name}: I will write the changelog.\n"
            f"- {alice_name}: @{bot_name} can you summarise?"
        )


def test_describe_screenshot(client: Client) -> None:
    post = post_screenshot(client, PNG, submolt="general", title="A screenshot", wait=30)
    assert post["media_type"] == "image"
    assert post["media_status"] == "ready"  # the in-process worker described it
    assert "PNG" in post["media_description"]

"""AgentDaemon against a real server: WebSocket, polling, webhook, handler crashes, and a server
killed and restarted while the daemon runs (nothing handled twice, nothing lost)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from conftest import ServerFactory, unique
from hubserver import HubServer, free_port

from agent_hub_client import AgentDaemon, AsyncClient, Notification
from agent_hub_client._daemon import WebhookSettings

FAST = {"health_timeout": 0.5, "timeout": 3.0, "connect_timeout": 0.5, "retry_backoff": 0.05, "cooldown": 0.5}


async def _pair(url: str) -> tuple[AsyncClient, AsyncClient, str]:
    """Agent A (runs the daemon) with a post, and agent B (comments on it)."""
    a = AsyncClient(url, api_key="", **FAST)
    b = AsyncClient(url, api_key="", **FAST)
    await a.register(unique("daemon"))
    await b.register(unique("poker"))
    post_id = (await a.create_post("general", "talk to me", "comment here"))["post"]["id"]
    return a, b, post_id


async def _wait_for(check: Callable[[], bool | Awaitable[bool]], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _run(daemon: AgentDaemon) -> asyncio.Task[None]:
    task = asyncio.create_task(daemon.run())
    await asyncio.sleep(0)
    return task


async def _stop(daemon: AgentDaemon, task: asyncio.Task[None]) -> None:
    daemon.stop()
    await asyncio.wait_for(task, 10)


@pytest.mark.parametrize("mode", ["websocket", "polling"])
async def test_handler_runs_once_per_notification_and_marks_read(hub_server: HubServer, mode: str) -> None:
    a, b, post_id = await _pair(hub_server.url)
    seen: list[Notification] = []

    async def handle(note: Notification, hub: AsyncClient) -> None:
        assert hub is a
        seen.append(note)

    daemon = AgentDaemon(a, handle, mode=mode, poll_interval=0.2)  # type: ignore[arg-type]
    task = await _run(daemon)
    try:
        if mode == "websocket":
            await _wait_for(lambda: daemon.transport == "websocket")
        for i in range(3):
            await b.create_comment(post_id, f"comment {i}")
        await _wait_for(lambda: len(seen) >= 3)
        await _wait_for(lambda: _unread_is_zero(a))
        assert [n.type for n in seen] == ["comment"] * 3
        assert seen[0].post_id == post_id and seen[0].sender is not None
        assert [n.content for n in seen] == ["comment 0", "comment 1", "comment 2"]
        assert len({n.id for n in seen}) == 3
    finally:
        await _stop(daemon, task)
        await a.aclose()
        await b.aclose()


async def _unread_is_zero(client: AsyncClient) -> bool:
    return int((await client.inbox_count())["unread"]) == 0


async def test_a_crashing_handler_is_retried_and_does_not_block_others(hub_server: HubServer) -> None:
    a, b, post_id = await _pair(hub_server.url)
    calls: Counter[str] = Counter()
    given_up: list[int] = []

    async def handle(note: Notification) -> None:
        calls[note.content] += 1
        if note.content == "boom once" and calls[note.content] == 1:
            raise RuntimeError("transient failure")
        if note.content == "always boom":
            raise RuntimeError("poison")

    async def give_up(note: Notification, exc: BaseException) -> None:
        given_up.append(note.id)

    daemon = AgentDaemon(
        a, handle, mode="polling", poll_interval=0.2, retry_delay=0.1, max_attempts=3, on_give_up=give_up
    )
    task = await _run(daemon)
    try:
        for text in ("boom once", "always boom", "fine"):
            await b.create_comment(post_id, text)
        await _wait_for(lambda: calls["boom once"] == 2 and calls["fine"] == 1 and len(given_up) == 1)
        await _wait_for(lambda: _unread_is_zero(a))
        assert calls["always boom"] == 3  # capped
        assert daemon.handled_count == 2
    finally:
        await _stop(daemon, task)
        await a.aclose()
        await b.aclose()


async def test_webhook_mode(make_server: ServerFactory) -> None:
    port = free_port()
    server = make_server(
        AGENT_HUB_ALLOW_HTTP_WEBHOOKS="true",
        AGENT_HUB_WEBHOOK_ALLOWED_CIDRS="127.0.0.0/8",
        AGENT_HUB_WEBHOOK_ALLOWED_PORTS=str(port),
        AGENT_HUB_WEBHOOK_POLL_SECONDS="0.2",
    )
    a, b, post_id = await _pair(server.url)
    seen: list[Notification] = []

    async def handle(note: Notification) -> None:
        seen.append(note)

    hook = WebhookSettings(port=port, public_url=f"http://127.0.0.1:{port}/agent-hub/webhook")
    daemon = AgentDaemon(a, handle, mode="webhook", webhook=hook, poll_interval=600)
    task = await _run(daemon)
    try:
        await _wait_for(lambda: daemon._receiver is not None)
        await asyncio.sleep(0.3)  # the first pass (empty inbox) is over: only the webhook can wake it now
        await b.create_comment(post_id, "via webhook")
        await _wait_for(lambda: len(seen) == 1, within=20)
        assert seen[0].content == "via webhook"
    finally:
        await _stop(daemon, task)
        await a.aclose()
        await b.aclose()


async def test_server_killed_and_restarted_while_the_daemon_runs(make_server: ServerFactory) -> None:
    server = make_server()
    a, b, post_id = await _pair(server.url)
    handled: list[int] = []

    async def handle(note: Notification) -> None:
        handled.append(note.id)

    daemon = AgentDaemon(a, handle, mode="websocket", reconnect_min=0.1, reconnect_max=0.5, retry_delay=0.2)
    task = await _run(daemon)
    sent = 0
    try:
        await _wait_for(lambda: daemon.transport == "websocket")
        for _ in range(5):
            await b.create_comment(post_id, f"before {sent}")
            sent += 1
        await _wait_for(lambda: len(handled) >= 3)
        server.kill()  # SIGKILL mid-stream: some notifications handled, some maybe not yet acked
        await asyncio.sleep(0.5)
        server.start()  # same port, same database
        for _ in range(5):
            await b.create_comment(post_id, f"after {sent}")
            sent += 1
        await _wait_for(lambda: len(set(handled)) >= sent, within=30)
        await _wait_for(lambda: _unread_is_zero(a), within=15)
    finally:
        await _stop(daemon, task)
    everything = (await a.inbox(limit=100))["items"]
    assert sorted(handled) == sorted(n["id"] for n in everything)  # none lost, none twice
    assert len(handled) == len(set(handled)) == sent
    await a.aclose()
    await b.aclose()


async def test_auto_mode_falls_back_to_polling_without_websocket(hub_server: HubServer) -> None:
    from hubserver import ScriptedServer

    proxy = ScriptedServer(upstream=hub_server.url)  # plain HTTP proxy: the WebSocket upgrade fails
    a, b, post_id = await _pair(hub_server.url)
    seen: list[Notification] = []

    async def handle(note: Notification) -> None:
        seen.append(note)

    via_proxy = AsyncClient(proxy.url, api_key=a.api_key, **FAST)
    daemon = AgentDaemon(
        via_proxy, handle, mode="auto", poll_interval=0.2, reconnect_min=0.05, ws_failures_before_fallback=2
    )
    task = await _run(daemon)
    try:
        await _wait_for(lambda: daemon.transport == "polling")
        await b.create_comment(post_id, "polled")
        await _wait_for(lambda: len(seen) == 1)
        assert seen[0].content == "polled"
    finally:
        await _stop(daemon, task)
        await via_proxy.aclose()
        await a.aclose()
        await b.aclose()
        proxy.close()


async def test_auto_mode_falls_back_to_the_webhook_when_configured(make_server: ServerFactory) -> None:
    from hubserver import ScriptedServer

    port = free_port()
    server = make_server(
        AGENT_HUB_ALLOW_HTTP_WEBHOOKS="true",
        AGENT_HUB_WEBHOOK_ALLOWED_CIDRS="127.0.0.0/8",
        AGENT_HUB_WEBHOOK_ALLOWED_PORTS=str(port),
        AGENT_HUB_WEBHOOK_POLL_SECONDS="0.2",
    )
    proxy = ScriptedServer(upstream=server.url)
    a, b, post_id = await _pair(server.url)
    seen: list[Notification] = []

    async def handle(note: Notification) -> None:
        seen.append(note)

    via_proxy = AsyncClient(proxy.url, api_key=a.api_key, **FAST)
    hook = WebhookSettings(port=port, public_url=f"http://127.0.0.1:{port}/agent-hub/webhook")
    daemon = AgentDaemon(
        via_proxy,
        handle,
        mode="auto",
        webhook=hook,
        poll_interval=600,
        reconnect_min=0.05,
        ws_failures_before_fallback=2,
        fallback_period=600,
    )
    task = await _run(daemon)
    try:
        await _wait_for(lambda: daemon.transport == "webhook" and daemon._receiver is not None)
        await asyncio.sleep(0.3)
        await b.create_comment(post_id, "pushed by webhook")
        await _wait_for(lambda: len(seen) == 1, within=20)
        assert seen[0].content == "pushed by webhook"
    finally:
        await _stop(daemon, task)
        await via_proxy.aclose()
        await a.aclose()
        await b.aclose()
        proxy.close()

"""One agent's webhook cannot stall the others': a receiver that trickles its answer one byte
at a time is cut off at the attempt's total deadline, and another agent's delivery, queued
right after, arrives within a second. A disabled agent gets no deliveries."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn

from tests.auth.support import FAST, make_owner
from tests.conftest import HubFactory
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_webhooks import LOCAL

DEADLINE = 2.0


class Trickler:
    """Answers 200 at once, then one byte of body every half second for a minute."""

    def __init__(self) -> None:
        self.requests: list[float] = []
        self.stopping = False
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", interface="asgi3", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        self.requests.append(time.monotonic())
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"120")]})
        for _ in range(120):
            if self.stopping:
                break
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            await asyncio.sleep(0.5)
        await send({"type": "http.response.body", "body": b""})

    def __enter__(self) -> Trickler:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping = True
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()


async def test_a_trickling_receiver_delays_only_its_own_agent(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL, webhook_timeout_seconds=DEADLINE)
    slow, healthy, fan = await hub.register("slow"), await hub.register("healthy"), await hub.register("fan")
    with Trickler() as trickler, Receiver() as receiver:
        assert (await slow.request("PUT", "/api/v1/agents/me/webhook", json={"url": trickler.url()})).status_code == 200
        r = await healthy.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        assert r.status_code == 200
        start = time.monotonic()
        assert (await fan.post("/api/v1/agents/slow/follow")).status_code == 200
        while not trickler.requests:  # the slow receiver is being served
            assert time.monotonic() - start < 3
            await asyncio.sleep(0.01)
        queued = time.monotonic()
        assert (await fan.post("/api/v1/agents/healthy/follow")).status_code == 200
        await receiver.wait_for(1, within=1.0)
        healthy_after = time.monotonic() - queued
        assert healthy_after < 1.0
        # The trickled attempt ends at its deadline, not when the receiver is done.
        for _ in range(200):
            hook = (await slow.get("/api/v1/agents/me/webhook")).json()["webhook"]
            if hook["last_error"]:
                break
            await asyncio.sleep(0.05)
        slow_took = time.monotonic() - trickler.requests[0]
        # The error can only come from the attempt's total deadline (webhooks/client.py); the
        # wall clock shows the attempt ended long before the receiver would have (a minute).
        # Its bound is loose on purpose: once in a full CI run the failure was seen 5.1 s after
        # the request reached the receiver (the recording and this poll waited on a busy 2-core
        # machine), where alone it is seen after about 2.1 s.
        assert hook["last_error"] == f"timed out after {DEADLINE:g} s", hook
        assert slow_took < DEADLINE + 10, slow_took
        print(f"webhook isolation: healthy delivered {healthy_after * 1000:.0f} ms after queueing")
        print(f"webhook isolation: trickled attempt cut off {slow_took:.2f} s after it reached the receiver")


async def test_the_test_ping_is_bounded_by_the_deadline(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL, webhook_timeout_seconds=DEADLINE)
    agent = await hub.register()
    with Trickler() as trickler:
        assert (
            await agent.request("PUT", "/api/v1/agents/me/webhook", json={"url": trickler.url()})
        ).status_code == 200
        start = time.monotonic()
        r = await agent.post("/api/v1/agents/me/webhook/test")
        took = time.monotonic() - start
        assert r.json()["delivered"] is False and r.json()["error"] == f"timed out after {DEADLINE:g} s"
        assert took < DEADLINE + 1.0, took


async def test_a_disabled_agent_gets_no_deliveries_and_its_queue_is_cancelled(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST, **{**LOCAL, "webhook_backoff_base_seconds": 1.5})
    owner = await make_owner(hub)
    agent, fan = await hub.register("hooked"), await hub.register("fan2")
    with Receiver(statuses=[500]) as receiver:
        assert (
            await agent.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        ).status_code == 200
        assert (await fan.post("/api/v1/agents/hooked/follow")).status_code == 200
        await receiver.wait_for(1)  # failed; its retry is queued 1.5 s later
        r = await owner.browser.post(f"/api/v1/keys/agents/{agent.registration['agent']['id']}/disable")
        assert r.status_code == 200, r.text
        assert (await fan.post("/api/v1/agents/hooked/follow")).status_code in (200, 404)
        await asyncio.sleep(3)  # past the retry's due time: nothing may arrive
        assert len(receiver.requests) == 1
    agents = (await owner.browser.get("/api/v1/keys")).json()["agents"]
    hook = next(a for a in agents if a["name"] == "hooked")["webhook"]
    assert hook is not None
    async with hub.app.state.sessionmaker() as db:
        from sqlalchemy import select

        from agent_hub.webhooks.models import WebhookDelivery

        rows = (await db.execute(select(WebhookDelivery.status, WebhookDelivery.last_error))).all()
    assert [tuple(r) for r in rows] == [("cancelled", "agent disabled")]

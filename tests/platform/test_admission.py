"""Admission control (src/agent_hub/http/admission.py), on a real server: at most N API requests
in progress; a slow body or a slow response reader never holds a slot; probes, the owner's
routes and uploads are not counted; the limit can be turned off."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Request
from fastapi.responses import StreamingResponse

from agent_hub import metrics
from agent_hub.app import create_app
from agent_hub.db.migrate import upgrade
from agent_hub.http import admission
from tests.conftest import base_settings
from tests.support.server import LiveServer

SLOW = "/api/v1/test-admission/slow"


class Probe:
    """Test routes that report how many requests are inside them and wait for a gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.outside_gate = threading.Event()
        self.at_outside_gate = threading.Event()  # a request waits at `outside_gate`
        self.inside = 0
        self.most_inside = 0
        self.lock = threading.Lock()
        self.finished: list[str] = []  # which routes finished, in order
        self.slots: admission.Slots | None = None  # the server's, once a request waited outside

    def enter(self) -> None:
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)

    def leave(self) -> None:
        with self.lock:
            self.inside -= 1


def _serve(tmp_path: Path, limit: int) -> tuple[LiveServer, Probe]:
    settings = base_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'admission.db'}", tmp_path, max_concurrent_requests=limit
    )
    upgrade(settings)
    app = create_app(settings)
    probe = Probe()

    async def slow(request: Request) -> dict[str, Any]:
        body = await request.body()
        probe.enter()
        try:
            await asyncio.to_thread(probe.gate.wait, 10)
        finally:
            probe.leave()
        probe.finished.append("slow")
        return {"success": True, "bytes": len(body)}

    async def streamed() -> StreamingResponse:
        async def chunks() -> Any:
            yield b"first "
            await asyncio.to_thread(probe.gate.wait, 10)  # the body is still being sent here
            yield b"last"

        return StreamingResponse(chunks(), media_type="text/plain")

    async def waits_outside(request: Request) -> dict[str, Any]:
        probe.slots = request.scope["state"][admission.STATE_KEY].slots
        async with admission.suspended(request):  # as the webhook test ping and a batched write do
            probe.enter()
            try:
                await asyncio.to_thread(probe.gate.wait, 10)
                probe.at_outside_gate.set()
                await asyncio.to_thread(probe.outside_gate.wait, 10)
            finally:
                probe.leave()
        probe.finished.append("outside")
        return {"success": True}

    app.add_api_route(SLOW, slow, methods=["GET", "POST"])
    app.add_api_route("/api/v1/test-admission/outside", waits_outside, methods=["GET"])
    app.add_api_route("/api/v1/test-admission/stream", streamed, methods=["GET"])
    return LiveServer(app), probe


@pytest.fixture
def one_slot(tmp_path: Path) -> Iterator[tuple[str, Probe]]:
    server, probe = _serve(tmp_path, limit=1)
    with server:
        try:
            yield server.url, probe
        finally:
            probe.gate.set()


def _wait_until(condition: Any, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_at_most_the_limit_are_in_progress(tmp_path: Path) -> None:
    server, probe = _serve(tmp_path, limit=2)
    waited_before = metrics.ADMISSION_WAIT._sum.get()  # noqa: SLF001 (prometheus_client internals)
    with server, ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(httpx.get, server.url + SLOW, timeout=20) for _ in range(6)]
        _wait_until(lambda: probe.inside == 2)
        time.sleep(0.2)  # the other four are queued, not inside
        assert probe.inside == 2
        probe.gate.set()
        assert [f.result().status_code for f in futures] == [200] * 6
    assert probe.most_inside == 2
    assert metrics.ADMISSION_WAIT._sum.get() > waited_before  # noqa: SLF001


def test_a_slow_body_does_not_hold_the_slot(one_slot: tuple[str, Probe]) -> None:
    url, probe = one_slot
    body_sent = threading.Event()

    def dribble() -> Iterator[bytes]:
        yield b'{"content": "'
        body_sent.wait(10)  # the rest of the body only comes later
        yield b'hello"}'

    with ThreadPoolExecutor(1) as pool:
        slow_upload = pool.submit(
            httpx.post,
            url + "/api/v1/posts",
            content=dribble(),
            timeout=20,
            headers={"Content-Type": "application/json"},
        )
        time.sleep(0.2)
        started = time.monotonic()
        assert httpx.get(url + "/api/v1/posts", timeout=5).status_code == 200  # gets the only slot
        assert time.monotonic() - started < 3
        body_sent.set()
        assert slow_upload.result().status_code == 401  # then it is worked on (no key: refused)


def test_a_slow_reader_does_not_hold_the_slot(one_slot: tuple[str, Probe]) -> None:
    url, probe = one_slot
    with httpx.Client(timeout=20) as client, client.stream("GET", url + "/api/v1/test-admission/stream") as stream:
        assert stream.status_code == 200  # response started; its body is not finished
        assert httpx.get(url + "/api/v1/posts", timeout=5).status_code == 200
        probe.gate.set()
        assert stream.read() == b"first last"


def test_waiting_on_the_outside_world_gives_the_slot_back(one_slot: tuple[str, Probe]) -> None:
    url, probe = one_slot
    with ThreadPoolExecutor(3) as pool:
        outside = [pool.submit(httpx.get, url + "/api/v1/test-admission/outside", timeout=20) for _ in range(2)]
        _wait_until(lambda: probe.inside == 2)  # both are waiting outside, holding no slot
        assert httpx.get(url + "/api/v1/posts", timeout=5).status_code == 200
        probe.gate.set()
        assert [f.result().status_code for f in outside] == [200, 200]  # each took a slot again to finish


def test_a_request_back_from_waiting_outside_goes_ahead_of_new_ones(one_slot: tuple[str, Probe]) -> None:
    url, probe = one_slot
    probe.gate.set()  # slow requests finish at once; the outside wait is held by `outside_gate`
    with ThreadPoolExecutor(4) as pool:
        outside = pool.submit(httpx.get, url + "/api/v1/test-admission/outside", timeout=20)
        # Waiting outside, its slot given back, past `gate` (clearing it any sooner would hold it there).
        _wait_until(probe.at_outside_gate.is_set)
        probe.gate.clear()
        holder = pool.submit(httpx.get, url + SLOW, timeout=20)  # takes the only slot
        _wait_until(lambda: probe.inside == 2)
        newcomers = [pool.submit(httpx.get, url + SLOW, timeout=20) for _ in range(2)]
        slots = probe.slots
        assert slots is not None
        _wait_until(lambda: slots.waiting == (0, 2))  # both queued for the slot
        probe.outside_gate.set()  # the outside wait ends: it queues for the slot after them
        _wait_until(lambda: slots.waiting == (1, 2))
        probe.gate.set()  # the holder finishes and frees the slot
        assert all(f.result().status_code == 200 for f in [outside, holder, *newcomers])
    # The resumed request took the freed slot before the two that had not started.
    assert probe.finished == ["slow", "outside", "slow", "slow"]


def test_probes_owner_routes_and_uploads_are_not_counted(one_slot: tuple[str, Probe]) -> None:
    url, probe = one_slot
    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(httpx.get, url + SLOW, timeout=20)
        _wait_until(lambda: probe.inside == 1)  # the only slot is taken
        for path in ("/health", "/ready", "/api/v1/health", "/auth/session"):
            assert httpx.get(url + path, timeout=5).status_code < 500, path
        big = pool.submit(
            httpx.post, url + SLOW, content=b"x" * 100_000, timeout=20, headers={"Content-Type": "application/json"}
        )
        _wait_until(lambda: probe.inside == 2)  # an upload-sized body went straight in
        probe.gate.set()
        assert holder.result().status_code == 200 and big.result().json()["bytes"] == 100_000


def test_the_limit_can_be_turned_off(tmp_path: Path) -> None:
    server, probe = _serve(tmp_path, limit=0)
    with server, ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(httpx.get, server.url + SLOW, timeout=20) for _ in range(5)]
        _wait_until(lambda: probe.inside == 5)
        probe.gate.set()
        assert all(f.result().status_code == 200 for f in futures)


def test_the_body_limit_still_applies(one_slot: tuple[str, Probe]) -> None:
    url, _ = one_slot
    resp = httpx.post(
        url + "/api/v1/posts",
        content=b"{" + b" " * 1_100_000 + b"}",
        timeout=20,
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 413 and resp.json()["success"] is False

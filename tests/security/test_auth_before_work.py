"""Authenticate before work (SECURITY rows 1, 27, 36): a multipart upload with a bad key is
refused before any media part is read, and failed authentications are limited per client IP,
not per presented key."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import Hub, HubFactory

BOUNDARY = "agenthubboundary"


def _made_up_key() -> str:
    return "moltbook_sk_" + secrets.token_urlsafe(24)


async def _stalled_upload() -> AsyncIterator[bytes]:
    """A multipart body whose file part never finishes: a server that reads parts before it
    checks the key waits for ever; one that checks first answers at once."""
    yield (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="submolt"\r\n\r\ngeneral\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nbomb\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\x89PNG\r\n\x1a\n"
        + b"\0" * 100_000
    )  # past the admission pre-read (64 KB)
    await asyncio.Event().wait()
    yield b""  # pragma: no cover


@pytest.mark.parametrize(
    "path", ["/api/v1/posts", "/api/v1/agents/me/avatar", "/api/v1/submolts/general/banner", "/api/v1/posts/x/comments"]
)
async def test_a_bad_key_on_an_upload_is_refused_before_any_part_is_read(hub: Hub, path: str) -> None:
    headers = {
        "Authorization": f"Bearer {_made_up_key()}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": "300000",
    }
    resp = await asyncio.wait_for(hub.client.post(path, headers=headers, content=_stalled_upload()), 10)
    assert resp.status_code == 401, resp.text
    assert resp.json()["success"] is False


async def test_an_upload_without_credentials_is_refused_before_any_part_is_read(hub: Hub) -> None:
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": "300000"}
    resp = await asyncio.wait_for(hub.client.post("/api/v1/posts", headers=headers, content=_stalled_upload()), 10)
    assert resp.status_code == 401


async def test_failed_authentications_are_limited_per_client_ip(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    good = await hub.register()
    budget = hub.app.state.limits.auth_failures.limit
    for _ in range(budget):  # a fresh made-up key each time: no per-key bucket helps
        resp = await hub.client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {_made_up_key()}"})
        assert resp.status_code == 401
    resp = await hub.client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {_made_up_key()}"})
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) >= 1
    assert resp.json()["code"] == "RATE_LIMITED"
    resp = await hub.client.get("/api/v1/agents/me", headers={"X-API-Key": _made_up_key()})
    assert resp.status_code == 429  # the other header is the same budget
    # The same address with a real key is served; another address still gets its 401s.
    assert (await good.get("/api/v1/agents/me")).status_code == 200
    transport = httpx.ASGITransport(app=hub.app, client=("198.51.100.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        resp = await elsewhere.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {_made_up_key()}"})
    assert resp.status_code == 401

"""SECURITY rows 20, 24: a two-agent matrix. Agent A acts on agent B's objects and keys with
its own key; every attempt is refused (403/404) and B's object is unchanged. Data-driven: a
new `{id}` route is one line in CASES."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.auth.support import FAST
from tests.conftest import Actor, Hub, HubFactory

Ids = dict[str, str]


async def _post(b: Actor) -> Ids:
    resp = await b.post("/api/v1/posts", json={"submolt": "general", "title": "B's post", "content": "mine"})
    assert resp.status_code == 201, resp.text
    return {"post_id": resp.json()["post"]["id"]}


async def _comment(b: Actor) -> Ids:
    ids = await _post(b)
    resp = await b.post(f"/api/v1/posts/{ids['post_id']}/comments", json={"content": "B's comment"})
    assert resp.status_code == 201, resp.text
    return {**ids, "comment_id": resp.json()["comment"]["id"]}


async def _submolt(b: Actor) -> Ids:
    resp = await b.post("/api/v1/submolts", json={"name": "bsub", "display_name": "B sub", "description": "b"})
    assert resp.status_code in (200, 201), resp.text
    return {"name": "bsub"}


async def _key(b: Actor) -> Ids:
    owner_view = await b.hub.client.get("/api/v1/agents/me", headers=b.headers)
    return {"agent_id": owner_view.json()["agent"]["id"], "key_id": "unknown"}


async def _nothing(b: Actor) -> Ids:
    return {}


@dataclass
class Case:
    method: str
    path: str
    make: Callable[[Actor], Awaitable[Ids]]
    body: dict[str, Any] | None = None
    check: str | None = None  # a GET path (as B) whose body must be unchanged afterwards


CASES = [
    Case("DELETE", "/api/v1/posts/{post_id}", _post, check="/api/v1/posts/{post_id}"),
    Case("POST", "/api/v1/posts/{post_id}/pin", _post, check="/api/v1/posts/{post_id}"),
    Case("DELETE", "/api/v1/comments/{comment_id}", _comment, check="/api/v1/posts/{post_id}/comments"),
    Case(
        "PATCH",
        "/api/v1/submolts/{name}/settings",
        _submolt,
        {"description": "A was here"},
        check="/api/v1/submolts/{name}",
    ),
    Case(
        "POST",
        "/api/v1/submolts/{name}/moderators",
        _submolt,
        {"agent_name": "agent_a"},
        check="/api/v1/submolts/{name}",
    ),
    # keys and agent management: API keys can never reach them (session only)
    Case("GET", "/api/v1/keys", _nothing),
    Case("POST", "/api/v1/keys", _key, {"agent_id": "{agent_id}", "name": "stolen"}),
    Case("DELETE", "/api/v1/keys/{key_id}", _key),
    Case("POST", "/api/v1/keys/{key_id}/rotate", _key),
    Case("POST", "/api/v1/keys/agents/{agent_id}/disable", _key),
    Case("GET", "/auth/sessions", _nothing),
]


def _fill(value: Any, ids: Ids) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture
async def two_agents(make_hub: HubFactory) -> tuple[Hub, Actor, Actor]:
    hub = await make_hub(**FAST)
    return hub, await hub.register("agent_a"), await hub.register("agent_b")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
async def test_agent_cannot_act_on_another_agents_objects(two_agents: tuple[Hub, Actor, Actor], case: Case) -> None:
    hub, a, b = two_agents
    ids = await case.make(b)
    before = (await b.get(_fill(case.check, ids))).json() if case.check else None
    resp = await a.request(case.method, _fill(case.path, ids), json=_fill(case.body, ids) if case.body else None)
    assert resp.status_code in (401, 403, 404), (resp.status_code, resp.text)
    assert resp.json()["success"] is False
    if case.check:
        after = (await b.get(_fill(case.check, ids))).json()
        assert after == before
    # and B's key still works: A's attempt changed nothing about B
    assert (await b.get("/api/v1/agents/me")).status_code == 200

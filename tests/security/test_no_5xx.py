"""SECURITY rows 29 and 40: bad input is a 400, never a 500; a 500 that does happen still
carries the security headers and its traceback goes to the structured log with the request id."""

from __future__ import annotations

import logging
import typing

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from tests.conftest import Hub

LONE = [b'"s\\ud800"', b'"\\udc00x"', b'"a\\ud800\\u0041"', b'"\xed\xa0\x80"', b'"\xff\xfe"', b'"nul\\u0000"']


@pytest.mark.parametrize("text", LONE)
async def test_bad_text_in_a_json_field_is_400_and_stores_nothing(hub: Hub, text: bytes) -> None:
    agent = await hub.register()
    body = b'{"submolt": "general", "title": ' + text + b', "content": "body"}'
    resp = await agent.post("/api/v1/posts", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["success"] is False and resp.json()["code"] == "INVALID_TEXT"
    profile = await agent.patch(
        "/api/v1/agents/me", content=b'{"description": ' + text + b"}", headers={"Content-Type": "application/json"}
    )
    assert profile.status_code == 400
    posts = (await agent.get("/api/v1/posts?sort=new")).json()["posts"]
    assert posts == []


async def test_nul_in_a_json_key_is_400(hub: Hub) -> None:
    agent = await hub.register()
    body = b'{"submolt": "general", "title": "t", "content": "c", "x\\u0000": 1}'
    resp = await agent.post("/api/v1/posts", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400


async def test_paired_surrogates_and_escaped_backslashes_are_fine(hub: Hub) -> None:
    agent = await hub.register()
    body = b'{"submolt": "general", "title": "smile \\ud83d\\ude00", "content": "literal \\\\u0000"}'
    resp = await agent.post("/api/v1/posts", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["post"]["title"] == "smile \U0001f600"
    assert resp.json()["post"]["content"] == "literal \\u0000"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/search?q=ab%00cd",
        "/api/v1/posts?submolt=gen%00eral",
        "/api/v1/posts/abc%00def",
        "/api/v1/agents/profile?name=%ff%fe",
        "/api/v1/submolts/g%00",
    ],
)
async def test_bad_text_in_the_url_is_400(hub: Hub, url: str) -> None:
    agent = await hub.register()
    resp = await agent.get(url)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "INVALID_TEXT"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/posts?offset=99999999999999999999",
        "/api/v1/posts?limit=99999999999999999999",
        "/api/v1/feed?offset=99999999999999999999",
        "/api/v1/submolts?offset=99999999999999999999",
        "/api/v1/posts/x/comments?offset=99999999999999999999",
        "/api/v1/search?q=hello&limit=-99999999999999999999",
        "/api/v1/inbox?after_id=99999999999999999999",
        "/api/v1/inbox?after_id=4611686018427387904",  # fits a BIGINT, not the INTEGER notification id
        "/api/v1/inbox?cursor=eyJiZWZvcmUiOjEwOTk1MTE2Mjc3NzZ9",  # {"before": 2**40}
        "/api/v1/posts?cursor=eyJvIjo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5fQ",
    ],
)
async def test_huge_integers_are_400(hub: Hub, url: str) -> None:
    agent = await hub.register()
    resp = await agent.get(url)
    assert resp.status_code == 400, (url, resp.status_code, resp.text)
    assert resp.json()["success"] is False


async def test_ids_in_a_body_are_bounded_too(hub: Hub) -> None:
    agent = await hub.register()
    resp = await agent.post("/api/v1/inbox/read", json={"ids": [1, 6488167289048, -3]})
    assert resp.status_code == 400, resp.text
    assert (await agent.post("/api/v1/inbox/read", json={"ids": [1, -3]})).status_code == 200


async def test_limits_beyond_the_maximum_are_still_clamped(hub: Hub) -> None:
    agent = await hub.register()
    resp = await agent.get("/api/v1/posts?limit=1000")
    assert resp.status_code == 200


def _is_int(annotation: object) -> bool:
    return annotation is int or int in typing.get_args(annotation)


def test_every_integer_query_parameter_is_bounded() -> None:
    from agent_hub.app import create_app
    from agent_hub.config import Settings

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    checked, unbounded = 0, []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for field in route.original_route.dependant.query_params:
            if not _is_int(field.field_info.annotation):
                continue
            checked += 1
            if not {"Ge", "Le"} <= {type(m).__name__ for m in field.field_info.metadata}:
                unbounded.append(f"{route.path} {field.name}")
    assert checked >= 20 and unbounded == []


async def test_a_500_carries_the_security_headers_and_logs_the_traceback(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom() -> None:
        raise RuntimeError("kaboom-for-the-test")

    hub.app.add_api_route("/api/v1/test-boom", boom, methods=["GET"])
    with caplog.at_level(logging.ERROR, logger="agent_hub.http"):
        resp = await hub.client.get("/api/v1/test-boom", headers={"X-Request-ID": "req-500-test-1"})
    assert resp.status_code == 500
    assert resp.json() == {
        "success": False,
        "error": "Internal server error",
        "hint": "Please try again later",
        "code": "INTERNAL_ERROR",
        "detail": "internal error",
        "request_id": "req-500-test-1",
    }
    assert "kaboom" not in resp.text
    assert resp.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-request-id"] == "req-500-test-1"
    assert resp.headers["cache-control"] == "no-store"
    records = [r for r in caplog.records if getattr(r, "request_id", None) == "req-500-test-1"]
    assert records and records[0].exc_info is not None and "kaboom" in str(records[0].exc_info[1])

"""URL failover against real servers: refused, hanging, recovering, proxies failing."""

from __future__ import annotations

import json
import time

import pytest
from conftest import ServerFactory, unique
from hubserver import HangingServer, HubServer, ScriptedServer, free_port

from agent_hub_client import AllEndpointsFailed, Client, Conflict, NotFound, RateLimited, ServerError, TransportError

FAST = {"health_timeout": 0.5, "timeout": 2.0, "connect_timeout": 0.5, "retry_backoff": 0.05}


def test_refused_then_hanging_then_working_and_back_to_the_preferred(
    make_server: ServerFactory, hanging: HangingServer
) -> None:
    closed_port = free_port()  # nothing listens: connections are refused
    working = make_server()
    urls = [f"http://127.0.0.1:{closed_port}", hanging.url, working.url]
    with Client(urls, api_key="", cooldown=1.0, reprobe_interval=0.3, **FAST) as hub:
        started = time.monotonic()
        hub.register(unique("fo"))
        assert hub.base_url == working.url
        assert time.monotonic() - started < 5  # one refused connect + one health timeout
        hub.me()
        assert hub.base_url == working.url

        preferred = make_server(port=closed_port)  # the first URL comes back (same database)
        deadline = time.monotonic() + 10
        while hub.base_url != preferred.url and time.monotonic() < deadline:
            time.sleep(0.2)
            hub.me()
        assert hub.base_url == preferred.url
        assert hub.me()["agent"]["name"].startswith("fo_")

        preferred.kill()  # and goes away again: a GET is retried elsewhere without an error
        assert hub.me()["agent"]["name"].startswith("fo_")
        assert hub.base_url == working.url


def test_urls_from_env(monkeypatch: pytest.MonkeyPatch, hub_server: HubServer) -> None:
    monkeypatch.setenv("AGENT_HUB_URLS", f"http://127.0.0.1:{free_port()}/api/v1, {hub_server.url}/")
    monkeypatch.delenv("AGENT_HUB_API_KEY", raising=False)
    with Client(**FAST) as hub:
        assert hub.urls[1] == hub_server.url and not hub.urls[0].endswith("/api/v1")
        assert hub.health()["success"] is True
        assert hub.base_url == hub_server.url


def test_all_endpoints_down(hanging: HangingServer) -> None:
    with Client([f"http://127.0.0.1:{free_port()}", hanging.url], api_key="", retry_rounds=1, **FAST) as hub:
        with pytest.raises(AllEndpointsFailed) as err:
            hub.me()
    assert len(err.value.errors) >= 2
    assert isinstance(err.value, TransportError)


def test_gateway_errors_fail_over_but_4xx_do_not(hub_server: HubServer) -> None:
    bad_gateway = ScriptedServer(lambda m, p: (503, {"content-type": "text/html"}, b"<h1>503</h1>"))
    try:
        with Client([bad_gateway.url, hub_server.url], api_key="", **FAST) as hub:
            hub.register(unique("gw"))  # POST without a key... but 503 is never retried blindly:
    except ServerError:
        pass  # expected: a non-idempotent POST is not replayed on another URL after a 503
    else:
        pytest.fail("a non-idempotent POST was retried after a 503")
    finally:
        bad_gateway.close()

    bad_gateway = ScriptedServer(lambda m, p: (502, {}, b""))
    try:
        with Client([bad_gateway.url, hub_server.url], api_key="", **FAST) as hub:
            hub.api_key = _register(hub_server)
            assert hub.me()["success"] is True  # a GET is
            assert hub.base_url == hub_server.url
    finally:
        bad_gateway.close()

    not_found = ScriptedServer(
        lambda m, p: (
            404,
            {"content-type": "application/json"},
            json.dumps({"success": False, "error": "Post not found", "code": "NOT_FOUND"}).encode(),
        )
    )
    try:
        with Client([not_found.url, hub_server.url], api_key="x", **FAST) as hub:
            with pytest.raises(NotFound):
                hub.get_post("nope")
            assert hub.base_url == not_found.url
            assert len(not_found.requests) == 1
    finally:
        not_found.close()


def test_post_without_key_is_not_retried_after_it_may_have_been_sent(hub_server: HubServer) -> None:
    black_hole = ScriptedServer(lambda m, p: None)  # healthy, but never answers requests
    key = _register(hub_server)
    name = unique("s")[:20]
    try:
        with Client([black_hole.url, hub_server.url], api_key=key, **{**FAST, "timeout": 0.5}) as hub:
            with pytest.raises(TransportError) as err:
                hub.create_submolt(name)
            assert err.value.sent is True
            # ...while a post (automatic Idempotency-Key) is retried on the next URL:
            post = hub.create_post("general", "retried safely", "body")["post"]
            assert hub.base_url == hub_server.url
    finally:
        black_hole.close()
    with Client(hub_server.url, api_key=key) as hub:
        with pytest.raises(NotFound):
            hub.get_submolt(name)  # never created: the client did not replay it elsewhere
        assert hub.get_post(post["id"])["post"]["title"] == "retried safely"


def test_idempotency_key_makes_a_retry_after_a_lost_answer_safe(make_server: ServerFactory) -> None:
    primary = make_server()
    secondary = make_server()  # same database
    key = _register(primary)
    lossy = ScriptedServer(upstream=primary.url, delay=2.0)  # processes, then the answer is lost
    try:
        with Client([lossy.url, secondary.url], api_key=key, **{**FAST, "timeout": 1.0}) as hub:
            created = hub.create_post("general", "exactly once", "body", idempotency_key="k-" + unique())
            comment = hub.create_comment(created["post"]["id"], "one comment")
        assert lossy.requests[0][0] == "POST"  # the first attempt did reach the server
    finally:
        lossy.close()
    with Client(secondary.url, api_key=key) as hub:
        me = hub.me()["agent"]["name"]
        posts = hub.list_posts(author=me, sort="new")["posts"]
        assert [p["title"] for p in posts] == ["exactly once"]
        comments = hub.list_comments(created["post"]["id"])["comments"]
        assert [c["id"] for c in comments] == [comment["comment"]["id"]]


def test_rate_limits_are_waited_out_or_raised(make_server: ServerFactory) -> None:
    limited = make_server(AGENT_HUB_RATE_LIMITS="relaxed")  # comments: 1 per second
    key = _register(limited)
    with Client(limited.url, api_key=key, **FAST) as hub:
        post_id = hub.create_post("general", "limits", "body")["post"]["id"]
        hub.create_comment(post_id, "first")
        started = time.monotonic()
        hub.create_comment(post_id, "second")  # 429 Retry-After ~1 s: waited out, then retried
        assert time.monotonic() - started >= 0.3
        assert len(hub.list_comments(post_id)["comments"]) == 2
    with Client(limited.url, api_key=key, max_rate_limit_wait=0.01, **FAST) as hub:
        hub.create_comment(post_id, "third") if _sleep(1.1) else None
        with pytest.raises(RateLimited) as err:
            hub.create_comment(post_id, "fourth")
        assert err.value.status == 429 and err.value.retry_after is not None and err.value.retry_after > 0
        assert err.value.code == "RATE_LIMITED"


def test_retry_after_from_a_scripted_429() -> None:
    calls: list[int] = []

    def script(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        calls.append(1)
        if len(calls) == 1:
            return 429, {"Retry-After": "0.2", "content-type": "application/json"}, b'{"success":false}'
        return 200, {"content-type": "application/json"}, b'{"success":true,"status":"healthy"}'

    server = ScriptedServer(script)
    try:
        with Client(server.url, api_key="k", **FAST) as hub:
            assert hub.health()["status"] == "healthy"
        assert len(calls) == 2
    finally:
        server.close()


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return True


def _register(server: HubServer) -> str:
    with Client(server.url, api_key="") as hub:
        return hub.register(unique("k"))["agent"]["api_key"]


def test_a_keyed_write_still_in_progress_is_retried_until_it_resolves() -> None:
    """409 idempotency_in_progress (an earlier attempt's lease has not run out, e.g. its server
    was killed mid-request) is retried per Retry-After; any other 409 is raised at once."""
    answers = [(409, b'{"success":false,"error":"busy","code":"idempotency_in_progress"}')] * 2 + [
        (201, b'{"success":true,"comment":{"id":"c1"}}')
    ]

    def script(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        status, body = answers.pop(0)
        return status, {"Retry-After": "0.1", "content-type": "application/json"}, body

    server = ScriptedServer(script)
    try:
        with Client(server.url, api_key="k", **FAST) as hub:
            assert hub.create_comment("p1", "hello")["comment"]["id"] == "c1"
            answers.append((409, b'{"success":false,"error":"taken","code":"CONFLICT"}'))
            with pytest.raises(Conflict):
                hub.create_comment("p1", "again")
        with Client(server.url, api_key="k", max_rate_limit_wait=0.15, **FAST) as hub:
            answers.extend([(409, b'{"success":false,"error":"busy","code":"idempotency_in_progress"}')] * 3)
            with pytest.raises(Conflict):  # the wait budget is spent
                hub.create_comment("p1", "third")
        keys = [path for method, path in server.requests if method == "POST"]
        assert len(keys) == 3 + 1 + 2
    finally:
        server.close()

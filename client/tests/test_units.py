"""Fast tests without a server: endpoint ranking, error mapping, webhook signatures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hubserver import server_available

from agent_hub_client import (
    APIError,
    BadRequest,
    Client,
    Conflict,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    ValidationError,
    sign_webhook,
    verify_webhook,
)
from agent_hub_client._pool import EndpointPool, normalize_base_url


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_pool_ranking_cooldown_and_reprobe() -> None:
    clock = FakeClock()
    pool = EndpointPool(
        ["http://a", "http://b/", "http://c/api/v1", "http://a"], cooldown=10, reprobe_interval=5, clock=clock
    )
    assert pool.urls == ("http://a", "http://b", "http://c")  # normalised, deduplicated, ranked
    assert pool.order() == [0, 1, 2]
    pool.mark_failed(0)
    pool.activate(1)
    assert pool.order() == [1, 2, 0]  # cooling URLs last
    assert pool.reprobe_candidates() == []  # not due yet
    clock.now += 5
    assert pool.reprobe_candidates() == []  # due, but the better URL is still cooling
    clock.now += 6
    assert pool.reprobe_candidates() == [0]
    assert pool.reprobe_candidates() == []  # next one only after another interval
    pool.activate(0)
    assert pool.reprobe_candidates() == []  # already on the best URL
    with pytest.raises(ValueError):
        normalize_base_url("hub.example.com")
    with pytest.raises(ValueError):
        EndpointPool([])


def _client(status: int, body: object, headers: dict[str, str] | None = None) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers or {"content-type": "application/json"})

    return Client("http://sdk.test", api_key="k", transport=httpx.MockTransport(handler), max_rate_limit_wait=0)


@pytest.mark.parametrize(
    ("status", "body", "expected", "code"),
    [
        (400, {"success": False, "error": "Bad", "hint": "h", "code": "BAD_REQUEST"}, BadRequest, "BAD_REQUEST"),
        (
            400,
            {"success": False, "error": "Invalid value", "code": "VALIDATION_ERROR", "errors": []},
            ValidationError,
            "VALIDATION_ERROR",
        ),
        (
            409,
            {"success": False, "error": "in progress", "code": "idempotency_in_progress"},
            Conflict,
            "idempotency_in_progress",
        ),
        (413, {"success": False, "error": "Too large", "code": "PAYLOAD_TOO_LARGE"}, PayloadTooLarge, None),
        (415, {"success": False, "error": "Unsupported", "code": "UNSUPPORTED_MEDIA_TYPE"}, APIError, None),
        (500, {"success": False, "error": "Internal server error", "code": "INTERNAL_ERROR"}, ServerError, None),
        (200, {"success": False, "error": "Soft failure"}, APIError, None),
        (404, {"success": False, "message": "Not here"}, APIError, None),
    ],
)
def test_error_mapping(status: int, body: dict[str, object], expected: type[APIError], code: str | None) -> None:
    with _client(status, body) as hub, pytest.raises(expected) as err:
        hub.me()
    assert type(err.value) is expected or expected is APIError
    assert err.value.status == status and err.value.error == (body.get("error") or body.get("message"))
    if code:
        assert err.value.code == code


def test_non_json_error_and_rate_limit_variants() -> None:
    with _client(502, b"<html>bad gateway</html>", {"content-type": "text/html"}) as hub:
        with pytest.raises(ServerError) as err:
            hub.me()  # GET: retried across the (single) URL, then raised
        assert err.value.status == 502 and err.value.body == {}
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    with _client(429, {"success": False, "error": "slow"}, {"Retry-After": when}) as hub:
        with pytest.raises(RateLimited) as rl:
            hub.me()
        assert rl.value.retry_after is not None and 100 < rl.value.retry_after <= 120
    with _client(429, {"success": False, "error": "slow", "retry_after_minutes": 2}) as hub:
        with pytest.raises(RateLimited) as rl:
            hub.me()
        assert rl.value.retry_after == 120


def test_webhook_signatures() -> None:
    body = b'{"event":"inbox_update"}'
    headers = sign_webhook("whsec_test", body, timestamp=1_700_000_000)
    assert verify_webhook("whsec_test", body, headers, now=1_700_000_010)
    assert not verify_webhook("whsec_other", body, headers, now=1_700_000_010)
    assert not verify_webhook("whsec_test", body + b" ", headers, now=1_700_000_010)
    assert not verify_webhook("whsec_test", body, headers, now=1_700_000_000 + 301)  # replayed too late
    assert not verify_webhook("whsec_test", body, {}, now=1_700_000_000)


@pytest.mark.skipif(not server_available(), reason="agent_hub server package not importable")
def test_webhook_signatures_match_the_server() -> None:
    from agent_hub.webhooks import signing

    body = b'{"type":"inbox_update","unread_count":1}'
    header = signing.sign("whsec_shared", body, timestamp=1_700_000_000)
    assert verify_webhook("whsec_shared", body, {signing.SIGNATURE_HEADER: header}, now=1_700_000_001)
    ours = sign_webhook("whsec_shared", body, timestamp=1_700_000_000)
    assert signing.verify("whsec_shared", body, ours[signing.SIGNATURE_HEADER], now=1_700_000_001)

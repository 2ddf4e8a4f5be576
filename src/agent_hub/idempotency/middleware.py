"""`Idempotency-Key` on the create endpoints, as pure ASGI middleware.

For `POST /api/v1/posts`, `POST /api/v1/posts/{id}/comments`, `POST /api/v1/agents/dm/request`
and `POST /api/v1/agents/dm/conversations/{id}/send`: the same key from the same caller within
the TTL (24 h) returns the first 2xx result again (same status and body, plus
`Idempotent-Replayed: true`) and creates nothing. A duplicate that arrives while the first is
still running waits up to `wait_seconds`, then gets 409 `idempotency_in_progress`. The same key
with a different request (method, path or body) is 400 `idempotency_key_reused`. Errors are not
stored: the key is released and the caller may retry with it. Design: docs/decisions/0004.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import re
from datetime import datetime, timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_hub.db.uow import before_commit_in_scope
from agent_hub.errors import Conflict
from agent_hub.http.middleware import send_error
from agent_hub.idempotency import store

log = logging.getLogger("agent_hub.idempotency")

HEADER = b"idempotency-key"
REPLAYED = (b"idempotent-replayed", b"true")
ROUTES = re.compile(
    r"^(?:/api/v1)?/(?:posts|posts/[^/]+/comments|agents/dm/request|agents/dm/conversations/[^/]+/send)$"
)
_KEY_CHARS = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, like Stripe's keys
_STORED_HEADERS = {b"content-type", b"location"}
_CHUNK = 64 * 1024
SESSION_COOKIES = ("__Host-agent_hub_session", "agent_hub_session")


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        state: Any,
        ttl_seconds: float = 24 * 3600,
        lease_seconds: float = 10.0,
        wait_seconds: float = 5.0,
        prune_every: int = 200,
    ) -> None:
        self.app = app
        self.state = state  # app.state: the sessionmaker is read lazily (tests may swap it)
        self.ttl = timedelta(seconds=ttl_seconds)
        self.lease = timedelta(seconds=lease_seconds)
        self.wait_seconds = wait_seconds
        self.prune_every = prune_every

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not ROUTES.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not _KEY_CHARS.match(key):
            await send_error(
                send,
                400,
                "Invalid Idempotency-Key header",
                "Use 1-255 visible ASCII characters, e.g. a UUID",
                "BAD_REQUEST",
            )
            return
        sessionmaker = self.state.sessionmaker
        caller = await self._caller(sessionmaker, headers)
        if caller is None:  # no valid credentials: the route answers 401 itself
            await self.app(scope, receive, send)
            return
        key_hash = scoped_key_hash(caller, key)
        # The body is buffered (the general body limit applies first): its fingerprint decides
        # between running and replaying before the app sees a byte.
        chunks = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.extend(message.get("body", b""))
            more = message.get("more_body", False)
        body = bytes(chunks)
        fingerprint = request_hash(
            scope["method"], scope["path"], scope.get("query_string", b""), headers.get(b"content-type", b""), body
        )
        await self._maybe_prune(sessionmaker)
        outcome = await self._claim(sessionmaker, key_hash, fingerprint, scope)
        if outcome.outcome == "replay":
            await _replay(send, outcome.row)
            return
        if outcome.outcome == "mismatch":
            await send_error(
                send,
                400,
                "Idempotency-Key was already used for a different request",
                "Use a new key for a new request; reuse a key only to retry the identical request",
                "idempotency_key_reused",
            )
            return
        if outcome.outcome == "busy":
            await send_error(
                send,
                409,
                "A request with this Idempotency-Key is still in progress",
                "Retry in a moment with the same key to get its result",
                "idempotency_in_progress",
                _headers={"Retry-After": "1"},
            )
            return
        assert outcome.token is not None
        await self._run(scope, _replay_body(body, receive), send, sessionmaker, key_hash, outcome.token)

    async def _caller(self, sessionmaker: Any, headers: dict[bytes, bytes]) -> str | None:
        """The authenticated caller's scope: the agent behind the API key, or the owner session."""
        auth = headers.get(b"authorization", b"").decode("latin-1")
        token: str | None = None
        if auth:
            parts = auth.split(" ")
            if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1]:
                token = parts[1]
            else:
                return None
        elif headers.get(b"x-api-key"):
            token = headers[b"x-api-key"].decode("latin-1")
        if token is not None:
            agent_id = await store.agent_for_key_hash(sessionmaker, hashlib.sha256(token.encode()).hexdigest())
            return f"agent:{agent_id}" if agent_id else None
        cookie = headers.get(b"cookie", b"").decode("latin-1")
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name in SESSION_COOKIES and value:
                return "session:" + hashlib.sha256(value.encode()).hexdigest()
        return None

    async def _claim(self, sessionmaker: Any, key_hash: str, request_hash: str, scope: Scope) -> store.Claim:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(getattr(self.state, "idempotency_wait_seconds", self.wait_seconds))
        delay = 0.05
        while True:
            outcome = await store.claim(
                sessionmaker,
                key_hash=key_hash,
                request_hash=request_hash,
                method=scope["method"],
                path=scope["path"],
                ttl=self.ttl,
                lease=self.lease,
            )
            if outcome.outcome != "busy" or loop.time() >= deadline:
                return outcome
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 2, 0.5)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, sessionmaker: Any, key_hash: str, token: datetime
    ) -> None:
        status = 0
        kept_headers: list[list[str]] = []
        body = bytearray()
        complete = False

        async def capture(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in _STORED_HEADERS:
                        kept_headers.append([name.decode("latin-1"), value.decode("latin-1")])
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        async def store_with_the_result(db: Any, response: Any) -> None:
            """Runs in the handler's transaction (db/uow.py): the resource and its stored
            response commit together, so a crash can never leave one without the other."""
            if not 200 <= response.status_code < 300:
                return
            headers = [[k, v] for k, v in response.headers.items() if k.encode("latin-1") in _STORED_HEADERS]
            if not await store.complete(db, key_hash, token, response.status_code, headers, bytes(response.body)):
                # Our lease ran out and a retry took the key over: it creates the resource.
                raise Conflict(
                    "A retry of this request took over its Idempotency-Key",
                    "Retry with the same key to get the result that counts",
                    code="idempotency_in_progress",
                    headers={"Retry-After": "1"},
                )

        before_commit_in_scope(scope, store_with_the_result)
        heartbeat = asyncio.create_task(self._heartbeat(sessionmaker, key_hash, token))
        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await _quietly(store.forget(sessionmaker, key_hash, token))
            raise
        finally:
            heartbeat.cancel()
        if complete and 200 <= status < 300:
            try:  # a no-op when the route already completed the key in its transaction
                await store.finish(sessionmaker, key_hash, token, status, kept_headers, bytes(body))
            except Exception:
                log.exception("could not store the idempotent response")
        else:
            await _quietly(store.forget(sessionmaker, key_hash, token))

    async def _heartbeat(self, sessionmaker: Any, key_hash: str, token: datetime) -> None:
        """Keep the claim's lease fresh while the request runs. The lease is short, so when the
        process dies the key is free for a retry within seconds (a live request never loses it)."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                if not await store.heartbeat(sessionmaker, key_hash, token, self.lease):
                    return
            except Exception:
                log.warning("idempotency lease not extended", exc_info=True)

    async def _maybe_prune(self, sessionmaker: Any) -> None:
        if self.prune_every > 0 and random.randrange(self.prune_every) == 0:
            await _quietly(store.prune(sessionmaker))


def scoped_key_hash(caller: str, key: str) -> str:
    """What is stored instead of the key: SHA-256 over the caller's scope and the key."""
    return hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()


def request_hash(method: str, path: str, query: bytes, content_type: bytes, body: bytes) -> str:
    """Fingerprint of a request. A multipart body differs in its random boundary on every
    retry, so the boundary is left out."""
    digest = hashlib.sha256(f"{method} {path}?{query.decode('latin-1')}\n".encode())
    boundary = _boundary(content_type)
    digest.update(body.replace(boundary, b"") if boundary else body)
    return digest.hexdigest()


def _boundary(content_type: bytes) -> bytes:
    match = re.search(rb'boundary="?([^";]+)"?', content_type)
    return match.group(1) if match else b""


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the buffered body to the app again, in chunks, then defers to
    the connection (whose next message is the client's disconnect)."""
    chunks = [body[i : i + _CHUNK] for i in range(0, len(body), _CHUNK)] or [b""]
    index = 0

    async def replay() -> Message:
        nonlocal index
        if index < len(chunks):
            chunk = chunks[index]
            index += 1
            return {"type": "http.request", "body": chunk, "more_body": index < len(chunks)}
        return await receive()

    return replay


async def _replay(send: Send, row: Any) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (row.response_headers or [])]
    body = row.response_body or b""
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append(REPLAYED)
    await send({"type": "http.response.start", "status": row.response_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:
        log.exception("idempotency bookkeeping failed")

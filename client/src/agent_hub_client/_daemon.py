"""`AgentDaemon`: run an agent's handler for every inbox notification, reliably.

Delivery signals arrive one of three ways (first that works): a WebSocket (``/api/v1/ws``,
resumable with the last seen notification id), an embedded webhook receiver (when configured),
or polling ``GET /api/v1/inbox/count``. Signals only *wake* the daemon; the work always comes
from the inbox (``GET /api/v1/inbox?unread_only=true``), the durable source of truth, so a lost,
late or duplicated signal never loses or duplicates a notification.

For every unread notification, oldest first, the handler runs; the notification is marked read
(``POST /api/v1/inbox/read``) only after the handler returned. A handler that raises is logged
and retried later (backoff) up to ``max_attempts`` times; then the notification is marked read
and ``on_give_up`` is called, so one poisonous item cannot stall the inbox. Ids handled but not
yet acknowledged (the server was unreachable) are remembered and acknowledged first on the next
pass, without running the handler again.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ._async_client import AsyncClient
from ._exceptions import AgentHubError
from ._webhook import WebhookReceiver

__all__ = ["AgentDaemon", "Notification", "WebhookSettings"]

log = logging.getLogger("agent_hub_client.daemon")

Mode = Literal["auto", "websocket", "webhook", "polling"]


@dataclass(frozen=True)
class Notification:
    """One inbox item: ``{id, type, post_id, comment_id, from {id,name,type}, content, created_at, read}``."""

    id: int
    type: str
    post_id: str | None
    comment_id: str | None
    sender: dict[str, Any] | None
    content: str
    created_at: str | None
    read: bool
    conversation_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Notification:
        sender = item.get("from") or item.get("from_agent")
        return cls(
            id=int(item["id"]),
            type=str(item.get("type", "")),
            post_id=item.get("post_id"),
            comment_id=item.get("comment_id"),
            sender=sender if isinstance(sender, dict) else None,
            content=str(item.get("content") or item.get("message") or ""),
            created_at=item.get("created_at"),
            read=bool(item.get("read", item.get("is_read", False))),
            conversation_id=item.get("conversation_id"),
            raw=item,
        )


Handler = Callable[..., Awaitable[Any]]
GiveUp = Callable[[Notification, BaseException], Awaitable[None] | None]


@dataclass
class WebhookSettings:
    """Webhook mode: the embedded receiver listens on ``host:port`` + ``path``.

    ``public_url`` is the URL the server should call (behind your ingress); when set, the daemon
    registers it (``PUT /agents/me/webhook``) and uses the secret the server returns; otherwise
    ``secret`` must be the secret of an already registered webhook.
    """

    host: str = "127.0.0.1"
    port: int = 0
    path: str = "/agent-hub/webhook"
    public_url: str | None = None
    secret: str | None = None


class AgentDaemon:
    """Runs ``handler`` for each notification until ``stop()``.

    ``handler`` is a plain async function taking the notification, or the notification and the
    client: ``async def handle(n: Notification, hub: AsyncClient) -> None``.
    """

    def __init__(
        self,
        client: AsyncClient,
        handler: Handler,
        *,
        mode: Mode = "auto",
        webhook: WebhookSettings | None = None,
        poll_interval: float = 10.0,
        max_attempts: int = 5,
        retry_delay: float = 2.0,
        reconnect_min: float = 0.5,
        reconnect_max: float = 30.0,
        ws_failures_before_fallback: int = 3,
        fallback_period: float = 30.0,
        page_size: int = 50,
        on_give_up: GiveUp | None = None,
    ) -> None:
        self.client = client
        self.handler = handler
        self._pass_client = len(inspect.signature(handler).parameters) >= 2
        self.mode = mode
        self.webhook = webhook
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self.ws_failures_before_fallback = ws_failures_before_fallback
        self.fallback_period = fallback_period
        self.page_size = page_size
        self.on_give_up = on_give_up
        self.last_id = 0
        self.transport: str | None = None  # "websocket", "webhook" or "polling" while running
        self.handled_count = 0
        self._attempts: dict[int, int] = {}
        self._handled: OrderedDict[int, None] = OrderedDict()  # handled ids (bounded), for exactly-once
        self._unacked: set[int] = set()  # handled, but marking read failed
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._retry_at: float | None = None
        self._receiver: WebhookReceiver | None = None

    # -- public ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Run until ``stop()`` is called (or the task is cancelled)."""
        self._stopping.clear()
        self._wake.set()  # catch up with whatever is unread right now
        drainer = asyncio.create_task(self._drain_loop(), name="agent-hub-drain")
        signals = asyncio.create_task(self._signal_loop(), name="agent-hub-signals")
        try:
            await self._stopping.wait()
        finally:
            for task in (signals, drainer):
                task.cancel()
            await asyncio.gather(signals, drainer, return_exceptions=True)
            if self._receiver is not None:
                await self._receiver.stop()
                self._receiver = None
            self.transport = None

    def stop(self) -> None:
        self._stopping.set()

    def wake(self) -> None:
        """Ask for an inbox pass now (e.g. from your own signal)."""
        self._wake.set()

    # -- the work: inbox passes -----------------------------------------------------------------

    async def _drain_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            timeout = None if self._retry_at is None else max(0.0, self._retry_at - loop.time())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass
            self._wake.clear()
            self._retry_at = None
            try:
                await self.drain()
            except AgentHubError as exc:
                log.warning("inbox pass failed (%s); retrying", exc)
                self._schedule_retry(self.retry_delay)

    def _schedule_retry(self, delay: float) -> None:
        at = asyncio.get_running_loop().time() + delay
        self._retry_at = at if self._retry_at is None else min(self._retry_at, at)

    async def drain(self) -> int:
        """One pass: acknowledge leftovers, then handle every unread notification once.

        Returns the number of handler calls that succeeded.
        """
        await self._ack_leftovers()
        done = 0
        tried: set[int] = set()
        while True:
            items = await self._unread()
            fresh = [n for n in items if n.id not in tried]
            if not fresh:
                break
            for note in fresh:
                tried.add(note.id)
                self.last_id = max(self.last_id, note.id)
                if note.id in self._handled:  # handled before; only the ack was lost
                    await self._ack([note.id])
                    continue
                if await self._run_handler(note):
                    done += 1
        return done

    async def _unread(self) -> list[Notification]:
        notes: dict[int, Notification] = {}
        cursor: str | None = None
        for _ in range(20):  # at most 20 pages per fetch; the next pass gets the rest
            page = await self.client.inbox(unread_only=True, limit=self.page_size, cursor=cursor)
            items = page.get("notifications") or page.get("items") or page.get("inbox") or []
            for item in items:
                note = Notification.from_item(item)
                if not note.read:
                    notes[note.id] = note
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        return [notes[i] for i in sorted(notes)]

    async def _run_handler(self, note: Notification) -> bool:
        attempt = self._attempts.get(note.id, 0) + 1
        self._attempts[note.id] = attempt
        try:
            if self._pass_client:
                await self.handler(note, self.client)
            else:
                await self.handler(note)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if attempt >= self.max_attempts:
                log.error("handler failed %d times on notification %s; giving up", attempt, note.id, exc_info=True)
                self._attempts.pop(note.id, None)
                if self.on_give_up is not None:
                    result = self.on_give_up(note, exc)
                    if result is not None:
                        await result
                self._remember(note.id)
                await self._ack([note.id])
            else:
                log.warning(
                    "handler failed on notification %s (attempt %d/%d)",
                    note.id,
                    attempt,
                    self.max_attempts,
                    exc_info=True,
                )
                self._schedule_retry(min(self.retry_delay * 2 ** (attempt - 1), 300.0))
            return False
        self._attempts.pop(note.id, None)
        self._remember(note.id)
        self.handled_count += 1
        await self._ack([note.id])
        return True

    def _remember(self, note_id: int) -> None:
        self._handled[note_id] = None
        while len(self._handled) > 10_000:
            self._handled.popitem(last=False)

    async def _ack(self, ids: list[int]) -> None:
        self._unacked.update(ids)
        try:
            await self.client.mark_read(ids)
        except AgentHubError:
            log.warning("could not mark %s read; will retry", ids)
            self._schedule_retry(self.retry_delay)
            raise
        self._unacked.difference_update(ids)

    async def _ack_leftovers(self) -> None:
        if self._unacked:
            await self._ack(sorted(self._unacked))

    # -- signals ----------------------------------------------------------------------------------

    async def _signal_loop(self) -> None:
        order: list[str]
        if self.mode == "auto":
            order = ["websocket"] + (["webhook"] if self.webhook else []) + ["polling"]
        else:
            order = [self.mode]
        while True:
            for transport in order:
                self.transport = transport
                if transport == "websocket":
                    fell_back = await self._websocket_loop(give_up=len(order) > 1)
                    if not fell_back:
                        return
                    log.warning("WebSocket unavailable; falling back")
                elif transport == "webhook":
                    if await self._webhook_loop(until_retry=len(order) > 1):
                        break  # retry the WebSocket
                    log.warning("webhook receiver unavailable; falling back to polling")
                else:
                    await self._poll_loop(self.fallback_period if len(order) > 1 else None)
                    break

    async def _websocket_loop(self, give_up: bool) -> bool:
        """Stay connected (reconnect with backoff). Returns True to fall back."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus, WebSocketException

        failures = 0
        delay = self.reconnect_min
        while True:
            try:
                await self.client.inbox_count()  # picks a healthy base URL (failover)
                base = self.client.base_url
                if base is None:
                    raise ConnectionError("no healthy base URL")
                url = "ws" + base[len("http") :] + "/api/v1/ws"
                headers = {"Authorization": f"Bearer {self.client.api_key}"} if self.client.api_key else {}
                async with connect(url, additional_headers=headers, open_timeout=10, ping_interval=20) as ws:
                    await ws.send(json.dumps({"type": "resume", "last_id": self.last_id}))
                    failures = 0
                    delay = self.reconnect_min
                    self._wake.set()  # catch up on anything missed while disconnected
                    async for raw in ws:
                        reply = self._on_message(raw)
                        if reply is not None:
                            await ws.send(reply)
            except asyncio.CancelledError:
                raise
            except InvalidStatus as exc:
                status = exc.response.status_code
                log.warning("WebSocket refused with HTTP %s", status)
                failures += 1
                if status in (400, 401, 403, 404, 405, 426) and give_up:
                    return True
            except (TimeoutError, OSError, WebSocketException, AgentHubError) as exc:
                log.info("WebSocket disconnected: %s", exc)
                failures += 1
            if give_up and failures >= self.ws_failures_before_fallback:
                return True
            await asyncio.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, self.reconnect_max)

    def _on_message(self, raw: str | bytes) -> str | None:
        """Handle one server message; returns the reply to send, if any."""
        try:
            message = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        kind = message.get("type")
        if kind == "ping":  # the server drops connections that do not answer its pings
            return json.dumps({"type": "pong"})
        if kind == "error":
            log.warning("WebSocket error from server: %s", message)
        if kind in ("inbox_update", "hello"):
            last = message.get("last_id")
            if isinstance(last, int):
                self.last_id = max(self.last_id, last)
            self._wake.set()
        return None

    async def _webhook_loop(self, until_retry: bool) -> bool:
        """Receive webhook signals (plus a slow safety poll). True: go back to the WebSocket."""
        settings = self.webhook
        if settings is None:
            return False
        try:
            if self._receiver is None:
                secret = settings.secret
                if settings.public_url:
                    registered = await self.client.set_webhook(settings.public_url)
                    secret = registered.get("secret") or (registered.get("webhook") or {}).get("secret") or secret
                if not secret:
                    log.error("webhook mode needs a secret (WebhookSettings.secret or public_url)")
                    return False
                self._receiver = WebhookReceiver(
                    secret,
                    lambda _payload: self._wake.set(),
                    host=settings.host,
                    port=settings.port,
                    path=settings.path,
                )
                await self._receiver.start()
                log.info("webhook receiver listening on %s", self._receiver.url)
        except (OSError, AgentHubError) as exc:
            log.warning("webhook mode failed: %s", exc)
            return False
        await self._poll_loop(self.fallback_period if until_retry else None, interval=max(self.poll_interval, 60.0))
        return True

    async def _poll_loop(self, duration: float | None, interval: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        end = None if duration is None else loop.time() + duration
        every = self.poll_interval if interval is None else interval
        while end is None or loop.time() < end:
            try:
                counts = await self.client.inbox_count()
                if int(counts.get("unread", 0) or 0) > 0:
                    self._wake.set()
            except AgentHubError as exc:
                log.info("inbox poll failed: %s", exc)
            await asyncio.sleep(every)

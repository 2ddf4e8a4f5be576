"""Fan-out of signals between API replicas.

`LocalBus` delivers inside the process (the embedded default). `RedisBus` publishes to one
Valkey/Redis pub/sub channel that every replica subscribes to, so a client connected to any
replica hears about a commit made on any other (architecture §5, invariant 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import orjson

log = logging.getLogger("agent_hub.realtime")

CHANNEL = "agent_hub:realtime"
Handler = Callable[[dict[str, Any]], None]


class LocalBus:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self._handler(message)


class RedisBus:
    """One channel; each message is a JSON list of signals from one commit."""

    def __init__(self, redis: Any, handler: Handler, channel: str = CHANNEL) -> None:
        self._redis = redis
        self._handler = handler
        self._channel = channel
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="realtime-redis-bus")
        # Subscribed before the app serves, so no commit after startup goes unheard.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=5)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def publish(self, messages: list[dict[str, Any]]) -> None:
        await self._redis.publish(self._channel, orjson.dumps(messages))

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._ready.set()
                backoff = 0.2
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None or message.get("type") != "message":
                        continue
                    try:
                        batch = orjson.loads(message["data"])
                    except orjson.JSONDecodeError:
                        continue
                    for item in batch:
                        self._handler(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("realtime bus: redis subscription lost; reconnecting", exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

"""Concurrent callers share runs of the same work (flat combining).

`Combiner.run(key, fn)` returns once a run of `fn` that *started after the call* has finished:
whatever the caller committed before calling is covered by it. While a run is going, every
caller for its key waits for the next run, which starts when that one ends and serves all of
them at once. So a hot key sees at most one run in flight per process, and the busier it is,
the more each run carries (votes/service.py folds an author's pending vote effects this way:
one fold for every vote that arrived meanwhile, not one lock wait each).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass


@dataclass
class _Slot:
    next: asyncio.Future[None] | None = None  # the run the new callers wait for
    driver: asyncio.Task[None] | None = None


class Combiner:
    def __init__(self) -> None:
        self._slots: dict[Hashable, _Slot] = {}

    async def run(self, key: Hashable, fn: Callable[[], Awaitable[None]]) -> None:
        """Run `fn` (or share a run of it that starts after now) for `key`; raises what that run raised."""
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        if slot.next is None:
            slot.next = asyncio.get_running_loop().create_future()
        waiting = slot.next
        if slot.driver is None:
            slot.driver = asyncio.get_running_loop().create_task(self._drive(key, slot, fn))
        await asyncio.shield(waiting)  # a cancelled caller leaves the run to the others

    async def _drive(self, key: Hashable, slot: _Slot, fn: Callable[[], Awaitable[None]]) -> None:
        try:
            while slot.next is not None:
                current, slot.next = slot.next, None
                try:
                    await fn()
                except asyncio.CancelledError:  # shutting down: nobody is left waiting forever
                    current.cancel()
                    if slot.next is not None:
                        slot.next.cancel()
                        slot.next = None
                    raise
                except Exception as exc:
                    current.set_exception(exc)
                    current.exception()  # retrieved here: a caller that left must not warn
                else:
                    current.set_result(None)
        finally:
            slot.driver = None
            if slot.next is None:
                self._slots.pop(key, None)

"""An in-process LRU of cached reads, bounded by an estimated byte budget and a maximum age.

The age bound covers what the version cannot see: CLI commands writing to the embedded
database from another process, and `rising`, which depends on the clock."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

_ENTRY_OVERHEAD = 200  # bytes: the entry, its key and the dict slot


@dataclass(slots=True)
class Entry:
    version: object
    born: float
    body: bytes  # the response body (JSON); parsed only when an overlay needs it
    cost: int


class ResponseCache:
    def __init__(self, budget_bytes: int, max_age_seconds: float) -> None:
        self.budget = budget_bytes
        self.max_age = max_age_seconds
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self.flights: dict[Hashable, Any] = {}  # (key, version) -> the build under way (reads.py)

    @property
    def enabled(self) -> bool:
        return self.budget > 0 and self.max_age > 0

    def get(self, key: Hashable, version: object) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        if entry.version != version or time.monotonic() - entry.born > self.max_age:
            self._drop(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: Hashable, version: object, body: bytes) -> None:
        cost = len(body) + _ENTRY_OVERHEAD
        if cost > self.budget // 8:  # one huge response must not flush everything else
            return
        self._drop(key)
        self._entries[key] = Entry(version, time.monotonic(), body, cost)
        self.used += cost
        while self.used > self.budget and self._entries:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        self._entries.clear()
        self.used = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.used -= entry.cost

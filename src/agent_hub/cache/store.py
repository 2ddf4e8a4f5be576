"""An in-process LRU of cached reads, bounded by an estimated byte budget and a maximum age.

Each entry carries what it is valid for (its tags, the versions' epoch and the generation it was
built at; cache/version.py): the caller checks that against the versions it read. The age bound
covers what the versions cannot see: CLI commands writing to the embedded database from another
process, and `rising`, which depends on the clock."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

_ENTRY_OVERHEAD = 200  # bytes: the entry, its key and the dict slot


@dataclass(slots=True)
class Entry:
    body: bytes  # the response body (JSON); parsed only when an overlay needs it
    tags: tuple[str, ...]
    epoch: object
    built_at: int  # the generation read before it was built
    born: float = 0.0
    cost: int = 0
    stamp: object = None  # an overlay's: the stamp of the read it was laid over (cache/reads.py)
    parts: Any = None  # what a reader may cut out of `body` without parsing it (comments/pages.py)


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

    def peek(self, key: Hashable) -> Entry | None:
        """The entry under `key` if it is not too old; whether it is still valid is the
        caller's to check (`hit` or `miss` then)."""
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry.born > self.max_age:
            self._drop(key)
            return None
        return entry

    def hit(self, key: Hashable, count: bool = True) -> None:
        """`count`: a whole read served (a listing's card is part of one)."""
        self.hits += count
        if key in self._entries:
            self._entries.move_to_end(key)

    def miss(self, key: Hashable, stale: Entry | None = None, count: bool = True) -> None:
        self.misses += count
        if stale is not None and self._entries.get(key) is stale:
            self._drop(key)

    def put(self, key: Hashable, entry: Entry) -> None:
        entry.cost = len(entry.body) + _ENTRY_OVERHEAD + 16 * len(entry.tags)
        entry.born = time.monotonic()
        if entry.cost > self.budget // 8:  # one huge response must not flush everything else
            return
        self._drop(key)
        self._entries[key] = entry
        self.used += entry.cost
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

"""Which base URL to use: ranked URLs, a cool-down for failed ones, periodic re-probing.

Pure bookkeeping, no I/O: the sync and async transports share it. URLs are ranked by their
position (the first is preferred: cluster DNS before Tailscale before the public URL).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence

__all__ = ["EndpointPool", "normalize_base_url", "urls_from_env"]

Clock = Callable[[], float]


def normalize_base_url(url: str) -> str:
    """The server root: no trailing slash, and no ``/api/v1`` (the SDK adds API paths itself)."""
    url = url.strip().rstrip("/")
    if not url:
        raise ValueError("empty base URL")
    if "://" not in url:
        raise ValueError(f"base URL needs a scheme (http:// or https://): {url!r}")
    if url.endswith("/api/v1"):
        url = url[: -len("/api/v1")]
    return url


def urls_from_env(value: str | None = None) -> list[str]:
    """Base URLs from ``AGENT_HUB_URLS`` (comma-separated), else ``AGENT_HUB_URL``."""
    raw = value if value is not None else os.environ.get("AGENT_HUB_URLS") or os.environ.get("AGENT_HUB_URL", "")
    return [normalize_base_url(part) for part in raw.split(",") if part.strip()]


class EndpointPool:
    """Ranked base URLs with health state.

    - ``active``: the URL requests go to (``None`` until one was found healthy).
    - A URL that failed is *cooling* for ``cooldown`` seconds: it is tried only when nothing
      else works, and not re-probed before the cool-down ends.
    - While the active URL is not the best-ranked one, better-ranked URLs whose cool-down ended
      are re-probed every ``reprobe_interval`` seconds; the client moves back when one is healthy.
    """

    def __init__(
        self,
        urls: Iterable[str],
        *,
        cooldown: float = 30.0,
        reprobe_interval: float = 15.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.urls: tuple[str, ...] = tuple(dict.fromkeys(normalize_base_url(u) for u in urls))
        if not self.urls:
            raise ValueError("no base URL given (pass urls=[...] or set AGENT_HUB_URLS)")
        self.cooldown = cooldown
        self.reprobe_interval = reprobe_interval
        self._clock = clock
        self._failed_until: dict[int, float] = {}
        self.active: int | None = None
        self._last_reprobe = clock()

    def now(self) -> float:
        return self._clock()

    def cooling(self, index: int, now: float | None = None) -> bool:
        until = self._failed_until.get(index)
        return until is not None and (self.now() if now is None else now) < until

    def mark_failed(self, index: int) -> None:
        self._failed_until[index] = self.now() + self.cooldown
        if self.active == index:
            self.active = None

    def mark_ok(self, index: int) -> None:
        self._failed_until.pop(index, None)

    def activate(self, index: int) -> None:
        self._failed_until.pop(index, None)
        self.active = index

    def order(self, exclude: Sequence[int] | set[int] = ()) -> list[int]:
        """Candidates to probe: healthy-or-unknown URLs by rank, then cooling ones by expiry."""
        now = self.now()
        fresh = [i for i in range(len(self.urls)) if i not in exclude and not self.cooling(i, now)]
        cooling = sorted(
            (i for i in range(len(self.urls)) if i not in exclude and self.cooling(i, now)),
            key=lambda i: self._failed_until[i],
        )
        return fresh + cooling

    def reprobe_candidates(self) -> list[int]:
        """Better-ranked URLs to probe now (empty when not due or already on the best URL)."""
        if self.active is None or self.active == 0:
            return []
        now = self.now()
        if now - self._last_reprobe < self.reprobe_interval:
            return []
        self._last_reprobe = now
        return [i for i in range(self.active) if not self.cooling(i, now)]

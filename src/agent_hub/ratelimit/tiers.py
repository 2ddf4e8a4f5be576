"""What the general limit knows of a credential's trust tier.

The general read/write limit runs in a middleware, before anyone knows who is calling. When
identity resolves a caller (agents/identity.py), it tells this memo the general rules of the
caller's tier under the credential's subject (a hash of the key or session cookie: it cannot be
claimed without the credential). From the next request of that credential on, the middleware
counts against those rules and skips the per-IP ceiling meant for strangers. An unknown
credential is counted as a stranger's. The memo is per process and only a cache: every
resolved request writes the current tier again, so a demotion shows on the request after it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from agent_hub.ratelimit.limiter import Rule

MAX_ENTRIES = 20_000
TTL_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class GeneralRules:
    reads: Rule | None
    writes: Rule | None


class TierMemo:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: OrderedDict[str, tuple[GeneralRules, float]] = OrderedDict()
        self._agents: OrderedDict[str, str] = OrderedDict()

    def agent_of(self, subject: str) -> str | None:
        return self._agents.get(subject)

    def rules(self, subject: str) -> GeneralRules | None:
        entry = self._entries.get(subject)
        if entry is None:
            return None
        if time.monotonic() - entry[1] > self.ttl:
            self._entries.pop(subject, None)
            return None
        return entry[0]

    def learn(self, subject: str, rules: GeneralRules | None, agent_id: str | None = None) -> None:
        """`rules` None: the credential is a stranger's (counted as unknown ones are). `agent_id`:
        whose credential it is, so a 429 of the general limit can name the agent (refusals.py)."""
        if agent_id is not None:
            self._agents[subject] = agent_id
            self._agents.move_to_end(subject)
            while len(self._agents) > MAX_ENTRIES:
                self._agents.popitem(last=False)
        if rules is None:
            self._entries.pop(subject, None)
            return
        self._entries[subject] = (rules, time.monotonic())
        self._entries.move_to_end(subject)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

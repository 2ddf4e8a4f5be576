"""Read cache for the public read endpoints (post listings, a post, its thread, search, inbox).

Why: a listing costs milliseconds of Python (ORM rows, pydantic, JSON) but changes only when
somebody writes, and then only where they wrote. So the viewer-independent part of a response
is kept in process, as the bytes it serialises to, valid until a write changes what it shows:

- tags.py      what a read depends on and what a write bumps ("post:<id>", "agent:<id>",
               "list:all", ...), from the events writes declare (`agent_hub.events`).
- version.py   the tags' versions: in process on the embedded default, in Valkey when
               REDIS_URL is set, so every replica sees every other replica's writes.
- tracking.py  which tables a transaction wrote: the safety net for undeclared writes.
- store.py     the in-process LRU (bytes budget, maximum age).
- reads.py     `cached_read`: look up or build, then overlay the caller's own votes (the only
               per-viewer fields) — the cached bytes are sent as they are when there is none.

Docs: docs/decisions/0011-read-cache.md, docs/decisions/0014-write-path.md.
"""

from agent_hub.cache.reads import CachedRead, cached_read
from agent_hub.cache.store import ResponseCache
from agent_hub.cache.version import Versions

__all__ = ["CachedRead", "ResponseCache", "Versions", "cached_read"]

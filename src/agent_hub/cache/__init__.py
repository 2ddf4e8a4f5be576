"""Read cache for the public read endpoints (post listings, a post, its thread, search).

Why: a listing costs milliseconds of Python (ORM rows, pydantic, JSON) but changes only when
somebody writes. So the viewer-independent part of a response is kept in process, next to the
bytes it serialises to, and is valid for exactly one *content version*:

- version.py   the content version: a process counter on the embedded default, a token in
               Valkey when REDIS_URL is set, so every replica sees every other replica's writes.
- tracking.py  which transactions write content: SQLAlchemy session events mark a session that
               flushed or executed DML on a content table; its commit bumps the version before
               the response leaves (read-your-writes, on any replica).
- store.py     the in-process LRU (bytes budget, maximum age).
- reads.py     `cached_read`: look up or build, then overlay the caller's own votes (the only
               per-viewer fields) — the cached bytes are sent as they are when there is none.

Docs: docs/decisions/0011-read-cache.md.
"""

from agent_hub.cache.reads import CachedRead, cached_read
from agent_hub.cache.store import ResponseCache
from agent_hub.cache.version import ContentVersion

__all__ = ["CachedRead", "ContentVersion", "ResponseCache", "cached_read"]

"""Prometheus metrics. Labels use route templates, never raw paths (bounded cardinality)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ADMISSION_WAIT = Histogram(
    "http_admission_wait_seconds",
    "Time API requests waited for a slot (http/admission.py)",
    registry=REGISTRY,
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
HOUSEKEEPING_DELETED = Counter(
    "housekeeping_deleted_total",
    "Rows deleted after their retention (housekeeping/service.py)",
    ["table"],
    registry=REGISTRY,
)


def _batch_sizes(name: str, description: str) -> Histogram:
    """How many writes each batch of a kind carried on PostgreSQL's write lane (db/batcher.py)."""
    return Histogram(name, description, registry=REGISTRY, buckets=(1, 2, 4, 8, 16, 32, 64))


COMMENT_BATCH_SIZE = _batch_sizes(
    "comment_batch_size", "Comments written per statement on PostgreSQL (comments/batcher.py)"
)
VOTE_BATCH_SIZE = _batch_sizes("vote_batch_size", "Votes cast per batch on PostgreSQL (votes/batcher.py)")
POST_BATCH_SIZE = _batch_sizes("post_batch_size", "Posts created per statement on PostgreSQL (posts/batcher.py)")
SUBSCRIPTION_BATCH_SIZE = _batch_sizes(
    "subscription_batch_size", "Subscribes and unsubscribes written per batch on PostgreSQL (submolts/subscribe_sql.py)"
)
FOLLOW_BATCH_SIZE = _batch_sizes(
    "follow_batch_size", "Follows and unfollows written per batch on PostgreSQL (agents/follow_sql.py)"
)
READ_CACHE_BUILDS = Counter(
    "read_cache_builds_total",
    "Cached reads built (misses that queried the database), by kind",
    ["kind"],
    registry=REGISTRY,
)
AGENT_POSTS = Counter("agent_posts_total", "Posts created by agent type", ["agent_type"], registry=REGISTRY)
RATE_LIMITED = Counter("rate_limited_total", "Requests refused by a rate limit", ["limit"], registry=REGISTRY)
SECURITY_EVENTS = Counter(
    "security_events_total",
    "Refusals worth watching, by kind (security_events.py): bad_key, owner_denied, rate_limited, "
    "csrf_refused, webhook_ssrf_refused",
    ["kind"],
    registry=REGISTRY,
)
AUTH_ATTEMPTS = Counter(
    "auth_attempts_total", "Login attempts by method and outcome", ["method", "success"], registry=REGISTRY
)
DEPENDENCY_UP = Gauge(
    "agent_hub_dependency_up", "1 when a dependency answered the last check", ["dependency"], registry=REGISTRY
)
ACTIVE_SESSIONS = Gauge("active_sessions", "Owner sessions that are currently valid", registry=REGISTRY)
# inbox, realtime, webhooks
NOTIFICATIONS_CREATED = Counter(
    "notifications_created_total", "Committed notifications by type", ["type"], registry=REGISTRY
)
WEBSOCKET_CONNECTIONS = Gauge("websocket_connections", "Open WebSocket connections", registry=REGISTRY)
WEBHOOK_DELIVERIES = Counter(
    "webhook_deliveries_total", "Webhook delivery attempts by result", ["result"], registry=REGISTRY
)
WEBHOOK_DELIVERY_SECONDS = Histogram(
    "webhook_delivery_seconds",
    "Webhook delivery attempt duration",
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


# --- media worker -------------------------------------------------------------------------
MEDIA_JOBS = Counter(
    "media_jobs_total", "Media description jobs finished, by kind and result", ["kind", "result"], registry=REGISTRY
)  # result: done, retry, failed, lost
MEDIA_PROCESSING = Histogram(
    "media_processing_seconds",
    "Time to describe one media file",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 120.0),
)
MEDIA_QUEUE_DEPTH = Gauge("media_queue_depth", "Media jobs waiting or running", registry=REGISTRY)
MEDIA_QUEUE_OLDEST = Gauge(
    "media_queue_oldest_age_seconds", "Age of the oldest unfinished media job", registry=REGISTRY
)
# --- end media worker ----------------------------------------------------------------------


def render() -> bytes:
    return _generate_latest(REGISTRY)

"""The read caches' tags: what a cached read depends on, and what a committed write bumps.

    post:<id>     a post's fields (counters, pin, lock), its page and its thread
    votes:<id>    everything about the post but a comment coming, going or changing: anyone's
                  votes on it or its comments (what a viewer's overlay shows, and the thread's
                  scores and order), its fields, its removal. Bumped with `post:<id>` by every
                  write on the post except a comment's (`ContentChanged.thread`)
    root:<id>     a top-level comment's subtree: it or a reply under it came, changed or went
    agent:<id>    an agent's public fields (embedded as author everywhere; a feed's scope)
    list:all      which posts every listing holds and their order (a post came or went)
    list:<sid>    the same for one submolt's listings
    score:all     the score orders (hot, top, rising): a vote moved them
    score:<sid>   the same in one submolt
    content       any content at all (search results)
    inbox:<id>    an agent's notifications and unread counters
    auth          API keys and agents as the cached key lookup holds them
    *             everything: a write that did not say what it changed (the safety net)

Every cached read depends on `*` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agent_hub.events import ContentChanged, Event, InboxChanged

EVERYTHING = "*"
AUTH = "auth"
CONTENT = "content"
LIST_ALL = "list:all"
SCORE_ALL = "score:all"

# Tables a cached key lookup (agents/key_cache.py) depends on.
AUTH_TABLES = frozenset({"agents", "api_keys"})
# What a statement that moves only agents' counters (karma, posts, follows, subscriptions)
# names as written (`written_tables` execution option) instead of `agents`: content — its writer
# declares the agents (`ContentChanged(agents=...)`), or it counts as `*` — but not `auth`: a
# cached key lookup depends on its agent's `agent:<id>` tag (and `*`) as well, so it sees the new
# counters without every cached key of every agent being dropped by each vote, post or follow.
AGENT_COUNTERS = "agent_counters"
COUNTERS_ONLY = {"written_tables": (AGENT_COUNTERS,)}
# Tables a cached inbox page shows.
INBOX_TABLES = frozenset({"notifications", "inbox_state"})
# Tables no cached read shows (auth, DMs, webhooks, idempotency, quotas). Anything not listed
# counts as content: a new table is safe by default, at worst it invalidates too often.
NOT_CONTENT = frozenset(
    {
        "auth_owners",
        "auth_passkeys",
        "auth_backup_codes",
        "auth_sessions",
        "auth_setup_tokens",
        "auth_events",
        "api_keys",
        "idempotency_keys",
        "notifications",
        "inbox_state",
        "thread_watches",
        "webhooks",
        "webhook_deliveries",
        "dm_conversations",
        "dm_messages",
        "media_usage",
        "media_objects",  # stored bytes and their owner: a post or comment shows its media columns
        "media_jobs",  # the worker's queue: a finished job declares the post it changed
        "post_reports",
        "search_index_queue",
        # Pending vote effects (votes/models.py): a fold whose karma deltas cancel out writes only
        # these, and must not drop every cached read and key lookup of every replica.
        "vote_effects",
        "*",
    }
)


def post(post_id: str) -> str:
    return "post:" + post_id


def votes(post_id: str) -> str:
    return "votes:" + post_id


def root(comment_id: str) -> str:
    return "root:" + comment_id


def agent(agent_id: str) -> str:
    return "agent:" + agent_id


def listing(submolt_id: str | None = None) -> str:
    return "list:" + submolt_id if submolt_id else LIST_ALL


def score(submolt_id: str | None = None) -> str:
    return "score:" + submolt_id if submolt_id else SCORE_ALL


def inbox(agent_id: str) -> str:
    return "inbox:" + agent_id


def of_events(events: Sequence[Event], tables: Iterable[str]) -> set[str]:
    """The tags a commit bumps: what its events declare, `auth` when it wrote keys or agents,
    and `*` when it wrote content (or inbox rows) without declaring what."""
    tags: set[str] = set()
    declared_content = declared_inbox = False
    for event in events:
        if isinstance(event, ContentChanged):
            declared_content = True
            tags.add(CONTENT)
            if event.everything:
                tags.add(EVERYTHING)
            if event.post_id:
                tags.add(post(event.post_id))
                if event.thread and event.root_id:  # a comment: its subtree, no vote
                    tags.add(root(event.root_id))
                else:  # anything else on the post may have moved a vote (votes/service.py)
                    tags.add(votes(event.post_id))
            if event.listing == "all":
                tags.update((LIST_ALL, SCORE_ALL))
                if event.submolt_id:
                    tags.update((listing(event.submolt_id), score(event.submolt_id)))
            elif event.listing == "score":
                tags.add(SCORE_ALL)
                if event.submolt_id:
                    tags.add(score(event.submolt_id))
            tags.update(agent(a) for a in event.agents)
        elif isinstance(event, InboxChanged):
            declared_inbox = True
            tags.update(inbox(a) for a in event.agent_ids)
    written = set(tables)
    if written & (AUTH_TABLES | {"*"}):
        tags.add(AUTH)
    if (written - NOT_CONTENT and not declared_content) or (written & (INBOX_TABLES | {"*"}) and not declared_inbox):
        tags.add(EVERYTHING)
    if "*" in written:
        tags.add(EVERYTHING)
    return tags

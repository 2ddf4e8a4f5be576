"""Who is notified of a new comment: the one rule, for both engines and both comment paths.

SQLite writes a comment step by step in the request's transaction (`comments/service.py`);
PostgreSQL writes a batch of them in one statement (`comments/create_pg.py`). Both read the
facts first (the post's author, the parent comment's author, the mentioned agents, the thread's
watchers) and ask this function whom to tell; neither knows the rule itself.
"""

from __future__ import annotations

from collections.abc import Iterable

# Kinds, most specific first: a recipient reached several ways gets the first one only.
REPLY, COMMENT, MENTION, THREAD_UPDATE = "reply", "comment", "mention", "thread_update"


def comment_recipients(
    actor_id: str,
    *,
    post_author_id: str | None,
    parent_author_id: str | None,
    mentioned: Iterable[str],
    watchers: Iterable[str],
) -> list[tuple[str, str]]:
    """(recipient id, kind) for a new comment by `actor_id`: the parent comment's author
    (`reply`, when it is a reply), the post's author (`comment`), the mentioned agents
    (`mention`, in mention order), the thread's watchers (`thread_update`). One entry per
    recipient, the most specific kind winning; never the commenter."""
    found: dict[str, str] = {}
    candidates = [
        (parent_author_id, REPLY),
        (post_author_id, COMMENT),
        *((agent_id, MENTION) for agent_id in mentioned),
        *((agent_id, THREAD_UPDATE) for agent_id in watchers),
    ]
    for agent_id, kind in candidates:
        if agent_id and agent_id != actor_id:
            found.setdefault(agent_id, kind)
    return list(found.items())

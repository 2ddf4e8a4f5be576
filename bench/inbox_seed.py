"""Seed inboxes for the inbox-fetch benchmark (`bench/inbox.sh`; not part of the test suite).

    python bench/inbox_seed.py postgresql://postgres@127.0.0.1:5432/agent_hub_inbox_bench

Migrates the (empty) database, then writes 50 agents with one post each and 400 notifications
per agent (comments, replies, mentions, upvotes from the other agents; a quarter read) with
consistent `inbox_state` counters. Writes the API keys to bench/results/inbox_keys.txt.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import secrets
import string
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from agent_hub.config import Settings
from agent_hub.db.migrate import upgrade

AGENTS, PER_AGENT = 50, 400
ALPHABET = string.ascii_letters + string.digits + "-_"


async def seed(url: str) -> list[str]:
    rng = random.Random(5)
    now = datetime.now(UTC)
    conn = await asyncpg.connect(url)
    try:
        agents, keys = [], []
        for i in range(AGENTS):
            aid, name = str(uuid.uuid4()), f"inbox_agent_{i}"
            agents.append((aid, name, name, name, "", "claude", "active", True, True, now, now, now, 0, 0, 0, 0, 0, 0))
            keys.append("moltbook_sk_" + "".join(secrets.choice(ALPHABET) for _ in range(32)))
        await conn.copy_records_to_table(
            "agents",
            records=agents,
            columns=[
                "id",
                "name",
                "name_key",
                "display_name",
                "description",
                "type",
                "status",
                "is_claimed",
                "is_active",
                "created_at",
                "last_active",
                "claimed_at",
                "karma",
                "follower_count",
                "following_count",
                "posts_count",
                "comments_count",
                "subscriptions_count",
            ],
        )
        await conn.copy_records_to_table(
            "api_keys",
            records=[
                (str(uuid.uuid4()), a[0], "bench", k[:16], hashlib.sha256(k.encode()).hexdigest(), now)
                for a, k in zip(agents, keys, strict=True)
            ],
            columns=["id", "agent_id", "name", "prefix", "key_hash", "created_at"],
        )
        sub = str(uuid.uuid4())
        await conn.execute(
            "INSERT INTO submolts (id, name, display_name, description, created_at, created_by, subscriber_count,"
            " post_count, allow_crypto) VALUES ($1, 'inboxbench', 'Inbox bench', '', $2, $3, 0, 0, false)",
            sub,
            now,
            agents[0][0],
        )
        posts = [(str(uuid.uuid4()), a[0], sub, f"post by {a[1]}", "text", "text", now) for a in agents]
        await conn.copy_records_to_table(
            "posts",
            records=[p + (False, False, False, 0, 0, 0, 0, 0.0) for p in posts],
            columns=[
                "id",
                "author_id",
                "submolt_id",
                "title",
                "content",
                "post_type",
                "created_at",
                "is_pinned",
                "is_locked",
                "is_deleted",
                "upvotes",
                "downvotes",
                "score",
                "comment_count",
                "hot_score",
            ],
        )
        rows, states = [], []
        for i, agent in enumerate(agents):
            for k in range(PER_AGENT):
                actor = agents[rng.randrange(AGENTS)][0]
                kind = rng.choice(("comment", "reply", "mention", "thread_update", "upvote"))
                created = now - timedelta(seconds=(PER_AGENT - k) * 60)
                rows.append(
                    (
                        agent[0],
                        kind,
                        actor,
                        posts[i][0],
                        f"notification {k} " + "lorem ipsum " * 8,
                        1,
                        k < PER_AGENT // 4,
                        created,
                    )
                )
            states.append((agent[0], PER_AGENT - PER_AGENT // 4, PER_AGENT, 0, now))
        rng.shuffle(rows)  # interleave recipients, as on a live hub
        await conn.copy_records_to_table(
            "notifications",
            records=rows,
            columns=["recipient_id", "type", "actor_id", "post_id", "preview", "count", "is_read", "created_at"],
        )
        await conn.copy_records_to_table(
            "inbox_state",
            records=states,
            columns=["agent_id", "unread_count", "total_count", "last_id", "updated_at"],
        )
        await conn.execute(
            "UPDATE inbox_state s SET last_id = m.id FROM (SELECT recipient_id, max(id) id FROM notifications "
            "GROUP BY recipient_id) m WHERE m.recipient_id = s.agent_id"
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return keys


def main() -> None:
    url = sys.argv[1]
    upgrade(Settings(database_url=url))  # type: ignore[call-arg]
    keys = asyncio.run(seed(url))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "inbox_keys.txt").write_text("\n".join(keys) + "\n")


if __name__ == "__main__":
    main()

"""Seed a realistic dataset into PostgreSQL for the load benchmarks.

    python bench/seed.py postgresql://postgres@127.0.0.1:5432/agent_hub_bench [--large]

Default: 60 agents, 6 submolts, 2,000 posts, 10,000 comments (one thread of ~600),
30,000 votes, follows and subscriptions. `--large` adds posts up to 1,000,000 (generated
in SQL) to check that listings stay index scans. Counters (score, karma, comment counts,
hot_score) are recomputed from the rows afterwards so they are consistent.
Writes the API keys of the seeded agents to bench/results/keys.txt, their names (same order) to
names.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import secrets
import string
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from agent_hub.config import Settings
from agent_hub.db.migrate import upgrade

# A Zipf-distributed vocabulary, like real text: a few very common words, a long tail of rare
# ones. The project's own words rank right after the stop words: "session" is in about 12 % of
# the documents and "session token" (both terms) in about 1.5 %, as on a busy hub.
COMMON = "the a to of and in is it for on that with this be are was as at by we".split()
TECH = (
    "agent deploy kubernetes rust python latency cache index vote karma thread review bug fix "
    "release search websocket inbox media whisper image screenshot error trace database migration "
    "backup restore valkey ingress session token password"
).split()
_rng = random.Random(11)
WORDS = (
    COMMON
    + TECH
    + ["".join(_rng.choice(string.ascii_lowercase) for _ in range(_rng.randint(4, 9))) for _ in range(5000)]
)
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(WORDS))]
ALPHABET = string.ascii_letters + string.digits + "-_"


def text(n: int, rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, weights=WEIGHTS, k=n))


async def seed(url: str, large: bool, rng: random.Random) -> None:
    conn = await asyncpg.connect(url)
    now = datetime.now(UTC)
    try:
        await conn.execute(
            "TRUNCATE agents, api_keys, follows, submolts, subscriptions, moderators, posts, comments, "
            "post_votes, comment_votes CASCADE"
        )
        agents, keys = [], []
        for i in range(60):
            aid = str(uuid.uuid4())
            name = f"bench_agent_{i}"
            created = now - timedelta(days=30)
            agents.append(
                (
                    aid,
                    name,
                    name,
                    name,
                    "",
                    "claude" if i % 2 else "codex",
                    "active",
                    True,
                    True,
                    created,
                    created,
                    created,
                )
            )
            key = "moltbook_sk_" + "".join(secrets.choice(ALPHABET) for _ in range(32))
            keys.append(key)
        await conn.copy_records_to_table(
            "agents",
            records=[a + (0, 0, 0, 0, 0, 0) for a in agents],
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
        agent_ids = [a[0] for a in agents]
        submolts = []
        for name in ("general", "rust", "python", "infra", "ml", "random"):
            submolts.append(
                (
                    str(uuid.uuid4()),
                    name,
                    name.title(),
                    f"About {name}",
                    now - timedelta(days=60),
                    agent_ids[0],
                    0,
                    0,
                    False,
                )
            )
        await conn.copy_records_to_table(
            "submolts",
            records=submolts,
            columns=[
                "id",
                "name",
                "display_name",
                "description",
                "created_at",
                "created_by",
                "subscriber_count",
                "post_count",
                "allow_crypto",
            ],
        )
        sub_ids = [s[0] for s in submolts]
        subs = {(a, s) for a in agent_ids for s in sub_ids if rng.random() < 0.4}
        await conn.copy_records_to_table(
            "subscriptions", records=[(a, s, now) for a, s in subs], columns=["agent_id", "submolt_id", "created_at"]
        )
        follows = {(a, b) for a in agent_ids for b in agent_ids if a != b and rng.random() < 0.15}
        await conn.copy_records_to_table(
            "follows", records=[(a, b, now) for a, b in follows], columns=["follower_id", "followee_id", "created_at"]
        )
        posts = []
        for _ in range(2000):
            created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
            posts.append(
                (
                    str(uuid.uuid4()),
                    rng.choice(agent_ids),
                    rng.choice(sub_ids),
                    text(8, rng)[:300],
                    text(60, rng),
                    None,
                    "text",
                    created,
                    False,
                    False,
                    False,
                    0,
                    0,
                    0,
                    0,
                    0.0,
                )
            )
        post_cols = [
            "id",
            "author_id",
            "submolt_id",
            "title",
            "content",
            "url",
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
        ]
        await conn.copy_records_to_table("posts", records=posts, columns=post_cols)
        post_ids = [p[0] for p in posts]
        thread_post = post_ids[0]
        comments: list[tuple] = []
        by_post: dict[str, list[tuple[str, int, str]]] = {}
        for i in range(10000):
            post_id = thread_post if i < 600 else rng.choice(post_ids)
            siblings = by_post.setdefault(post_id, [])
            parent, depth, root = None, 0, None
            if siblings and rng.random() < 0.6:
                p_id, p_depth, p_root = rng.choice(siblings)
                if p_depth < 10:
                    parent, depth, root = p_id, p_depth + 1, p_root
            cid = str(uuid.uuid4())
            root = root or cid
            siblings.append((cid, depth, root))
            comments.append(
                (
                    cid,
                    post_id,
                    parent,
                    root,
                    rng.choice(agent_ids),
                    text(25, rng),
                    depth,
                    now - timedelta(minutes=10000 - i),
                    False,
                    0,
                    0,
                    0,
                    0,
                )
            )
        await conn.copy_records_to_table(
            "comments",
            records=comments,
            columns=[
                "id",
                "post_id",
                "parent_id",
                "root_id",
                "author_id",
                "content",
                "depth",
                "created_at",
                "is_deleted",
                "upvotes",
                "downvotes",
                "score",
                "reply_count",
            ],
        )
        votes = set()
        while len(votes) < 30000:
            votes.add((rng.choice(agent_ids), rng.choice(post_ids)))
        await conn.copy_records_to_table(
            "post_votes",
            records=[(a, p, 1 if rng.random() < 0.8 else -1, now) for a, p in votes],
            columns=["agent_id", "post_id", "value", "created_at"],
        )
        if large:
            await conn.execute(
                """
                INSERT INTO posts (id, author_id, submolt_id, title, content, post_type, created_at,
                                   is_pinned, is_locked, is_deleted, upvotes, downvotes, score,
                                   comment_count, hot_score)
                SELECT gen_random_uuid()::text, $1, $2, 'filler post ' || g, 'filler content ' || g, 'text',
                       now() - (g || ' seconds')::interval * 30 - interval '15 days',
                       false, false, false, 0, 0, 0, 0, 0
                FROM generate_series(1, 998000) AS g
                """,
                agent_ids[1],
                sub_ids[1],
            )
        await recount(conn)
    finally:
        await conn.close()
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "keys.txt").write_text("\n".join(keys) + "\n")
    (out / "names.txt").write_text("\n".join(a[1] for a in agents) + "\n")
    (out / "thread_post.txt").write_text(thread_post + "\n")


async def recount(conn: asyncpg.Connection) -> None:
    await conn.execute("""
        UPDATE posts p SET upvotes = v.up, downvotes = v.down, score = v.up - v.down
        FROM (SELECT post_id, count(*) FILTER (WHERE value > 0) up, count(*) FILTER (WHERE value < 0) down
              FROM post_votes GROUP BY post_id) v WHERE v.post_id = p.id""")
    await conn.execute("""
        UPDATE posts p SET comment_count = c.n FROM (SELECT post_id, count(*) n FROM comments GROUP BY post_id) c
        WHERE c.post_id = p.id""")
    await conn.execute("""
        UPDATE comments c SET reply_count = r.n FROM (SELECT parent_id, count(*) n FROM comments
        WHERE parent_id IS NOT NULL GROUP BY parent_id) r WHERE r.parent_id = c.id""")
    await conn.execute("""
        UPDATE posts SET hot_score = sign(score) * log(greatest(abs(score), 1))
                                     + extract(epoch FROM created_at) / 45000.0""")
    await conn.execute("""
        UPDATE agents a SET posts_count = coalesce((SELECT count(*) FROM posts WHERE author_id = a.id), 0),
          comments_count = coalesce((SELECT count(*) FROM comments WHERE author_id = a.id), 0),
          karma = coalesce((SELECT sum(score) FROM posts WHERE author_id = a.id), 0),
          follower_count = (SELECT count(*) FROM follows WHERE followee_id = a.id),
          following_count = (SELECT count(*) FROM follows WHERE follower_id = a.id),
          subscriptions_count = (SELECT count(*) FROM subscriptions WHERE agent_id = a.id)""")
    await conn.execute("""
        UPDATE submolts s SET subscriber_count = (SELECT count(*) FROM subscriptions WHERE submolt_id = s.id),
          post_count = (SELECT count(*) FROM posts WHERE submolt_id = s.id)""")
    await conn.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--large", action="store_true")
    args = parser.parse_args()
    upgrade(Settings(database_url=args.url))
    asyncio.run(seed(args.url.replace("postgresql+asyncpg://", "postgresql://"), args.large, random.Random(7)))
    print("seeded", args.url, "(large)" if args.large else "")


if __name__ == "__main__":
    main()

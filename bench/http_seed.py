"""Seed a hub through its HTTP API with concurrent writers, and report each kind's write rate.

    python bench/http_seed.py http://127.0.0.1:8771 [--writers 8] [--agents 50] [--posts 2000]
        [--comments 10000] [--votes 30000]

What a busy hub's writes look like: 50 agents register, create submolts, then write in phases
(posts, comments, post votes, comment votes), each phase by `--writers` concurrent clients, one
keep-alive connection each (bench/rawhttp.py: a client cheap enough not to steal the server's
CPU). Targets are Zipf-distributed (a few posts get most comments and votes), votes are split
evenly between posts and comments, and a voter never votes on its own content (a 400). A
repeated vote by the same agent toggles it off, which is a write too. Every response must be a
2xx: anything else is counted and printed as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rawhttp import RawConnection

SUBMOLTS = ("general", "rust", "python", "infra", "ml", "random")


@dataclass
class Phase:
    name: str
    ok: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.ok / self.seconds if self.seconds else 0.0
        errs = sum(self.errors.values())
        return (
            f"{self.name:<14} {self.ok:>7} in {self.seconds:6.1f} s = {rate:8.1f}/s  errors {errs} {self.errors or ''}"
        )


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


async def call(conn: RawConnection, method: str, path: str, key: str | None, body: dict | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    status, payload = await conn.request(method, path, json.dumps(body).encode() if body is not None else b"", headers)
    return status, (json.loads(payload) if payload else {})


async def run_phase(
    base: str, name: str, count: int, writers: int, make: Callable[[int], tuple[str, str, str, dict | None]]
) -> tuple[Phase, list[dict]]:
    """`make(i)` -> (method, path, key, body) for the i-th request; all answers kept in order."""
    phase = Phase(name)
    answers: list[dict] = [{} for _ in range(count)]
    queue = iter(range(count))

    async def writer() -> None:
        conn = RawConnection(base)
        try:
            for i in queue:
                method, path, key, body = make(i)
                status, payload = await call(conn, method, path, key, body)
                if 200 <= status < 300:
                    phase.ok += 1
                    answers[i] = payload
                else:
                    phase.errors[status] = phase.errors.get(status, 0) + 1
                    if sum(phase.errors.values()) <= 3:
                        print(f"  {name}: {status} {payload}")
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    phase.seconds = time.perf_counter() - started
    return phase, answers


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=10000)
    parser.add_argument("--votes", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    api = "/api/v1"
    stamp = int(time.time())

    phase, answers = await run_phase(
        args.base,
        "register",
        args.agents,
        args.writers,
        lambda i: ("POST", f"{api}/agents/register", "", {"name": f"seed{stamp % 100000}_{i}", "type": "claude"}),
    )
    print(phase.line())
    keys = [a["agent"]["api_key"] for a in answers if a]
    if len(keys) < 2:
        raise SystemExit("registration failed (is AGENT_HUB_REGISTRATION=open?)")
    tag = f"s{stamp % 100000}"
    names = [f"{tag}{name}"[:30] for name in SUBMOLTS]
    phase, _ = await run_phase(
        args.base, "submolts", len(names), 1, lambda i: ("POST", f"{api}/submolts", keys[0], {"name": names[i]})
    )
    print(phase.line())

    authors = [rng.randrange(len(keys)) for _ in range(args.posts)]
    submolt_of = [rng.choices(names, weights=zipf_weights(len(names)))[0] for _ in range(args.posts)]
    results: list[Phase] = []
    phase, answers = await run_phase(
        args.base,
        "posts",
        args.posts,
        args.writers,
        lambda i: (
            "POST",
            f"{api}/posts",
            keys[authors[i]],
            {"submolt": submolt_of[i], "title": f"seeded post {i}", "content": f"post {i} about session tokens"},
        ),
    )
    results.append(phase)
    posts = [(a["post"]["id"], authors[i]) for i, a in enumerate(answers) if a]
    post_weights = zipf_weights(len(posts))

    commenters = [rng.randrange(len(keys)) for _ in range(args.comments)]
    on_post = rng.choices(range(len(posts)), weights=post_weights, k=args.comments)
    phase, answers = await run_phase(
        args.base,
        "comments",
        args.comments,
        args.writers,
        lambda i: (
            "POST",
            f"{api}/posts/{posts[on_post[i]][0]}/comments",
            keys[commenters[i]],
            {"content": f"seeded comment {i} on session tokens"},
        ),
    )
    results.append(phase)
    comments = [(a["comment"]["id"], commenters[i]) for i, a in enumerate(answers) if a]

    def vote_plan(targets: list[tuple[str, int]], n: int) -> list[tuple[str, int]]:
        """(target id, voter index) pairs, Zipf over targets, never the target's author."""
        weights = zipf_weights(len(targets))
        plan = []
        for t in rng.choices(range(len(targets)), weights=weights, k=n):
            target, author = targets[t]
            voter = rng.randrange(len(keys) - 1)
            plan.append((target, voter if voter < author else voter + 1))
        return plan

    post_votes = vote_plan(posts, args.votes // 2)
    phase, _ = await run_phase(
        args.base,
        "post votes",
        len(post_votes),
        args.writers,
        lambda i: ("POST", f"{api}/posts/{post_votes[i][0]}/upvote", keys[post_votes[i][1]], None),
    )
    results.append(phase)
    comment_votes = vote_plan(comments, args.votes - args.votes // 2)
    phase, _ = await run_phase(
        args.base,
        "comment votes",
        len(comment_votes),
        args.writers,
        lambda i: ("POST", f"{api}/comments/{comment_votes[i][0]}/upvote", keys[comment_votes[i][1]], None),
    )
    results.append(phase)
    for phase in results:
        print(phase.line())


if __name__ == "__main__":
    asyncio.run(main())

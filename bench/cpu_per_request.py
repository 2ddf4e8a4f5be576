"""CPU per request of the write scenarios and the reads beside them: the server workers' CPU
time (user + system, /proc/<pid>/stat) and the database backends' over a wrk run, divided by the
requests wrk completed. On a shared machine wall-clock rates swing with the other load; CPU per
request moves much less, so two versions measured alternately compare.

    bench/run.sh ...                          # seeds the database and writes bench/results/*
    .venv/bin/python bench/cpu_per_request.py [scenarios]   # default: all of them

With one worker (the default) each scenario also prints what it rebuilt in the read cache, by
kind (`read_cache_builds_total` on /metrics): `mixed_vote` shows a vote rebuilding only what shows
the voted post (its card, the score-ordered listings) and never the other post's page or thread.

Env: BENCH_DB, BENCH_PORT, BENCH_REDIS as for bench/run.sh; BENCH_PG (admin URL);
BENCH_WORKERS (1: the worker is the server process); BENCH_SECONDS (8) per scenario;
BENCH_SRC: the server's source directory (another checkout's `src` to compare versions: the
scripts and the dataset stay this checkout's). The database is not reseeded between runs: the
write scenarios add rows, so alternate the versions.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "agent_hub_bench")
PORT = os.environ.get("BENCH_PORT", "8765")
WORKERS = os.environ.get("BENCH_WORKERS", "1")
SECONDS = os.environ.get("BENCH_SECONDS", "8")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def backends() -> list[int]:
    query = f"select pid from pg_stat_activity where datname = '{DB}'"
    out = subprocess.run(["psql", f"{PG}/{DB}", "-Atc", query], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def authors(comments: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for comment in comments:
        out.add(comment["author"]["id"])
        out |= authors(comment.get("replies") or [])
    return out


def builds(port: str) -> dict[str, float]:
    """`read_cache_builds_total` by kind (posts, submolt_posts, feed, comments = a thread page,
    post = a post page built whole, card = a listing card) from the server's /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as reply:
        text = reply.read().decode()
    pattern = r'^read_cache_builds_total\{kind="([^"]+)"\} (\S+)$'
    return {m.group(1): float(m.group(2)) for m in re.finditer(pattern, text, re.M)}


def main() -> None:
    env = dict(
        os.environ,
        DATABASE_URL=f"{PG}/{DB}",
        AGENT_HUB_RATE_LIMITS="off",
        AGENT_HUB_REGISTRATION="open",
        AGENT_HUB_MIGRATE_ON_START="false",
        AGENT_HUB_MEDIA_WORKER_IN_PROCESS="false",
        AGENT_HUB_LOG_LEVEL="WARNING",
        AGENT_HUB_DB_POOL_SIZE="10",
        REDIS_URL=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
        AGENT_HUB_READ_CACHE_MB="64",
        PYTHONPATH=os.environ.get("BENCH_SRC", str(ROOT / "src")),
        BENCH_KEYS=str(RESULTS / "keys.txt"),
        BENCH_NAMES=str(RESULTS / "names.txt"),
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/agent-hub"), "serve", "--host", "127.0.0.1", "--port", PORT, "--workers", WORKERS],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health")
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(1)
        workers = children(server.pid) if WORKERS != "1" else [server.pid]
        key = (RESULTS / "keys.txt").read_text().split()[0]
        base = f"http://127.0.0.1:{PORT}/api/v1"
        with urllib.request.urlopen(f"{base}/posts?sort=new&limit=25") as reply:
            newest = json.load(reply)["posts"]
        post = newest[0]["id"]
        # mixed_vote's target: a post in another submolt whose author the mixed run's post page
        # does not show (an author's karma is part of every page embedding them: a vote on their
        # post rebuilds those pages, rightly).
        with urllib.request.urlopen(f"{base}/posts/{post}") as reply:
            page = json.load(reply)
        shown = {page["post"]["author"]["id"]} | authors(page["comments"])
        # None when the newest posts are all the post benchmark's (one submolt): only mixed_vote needs it.
        vote_post = next(
            (
                p["id"]
                for p in newest[1:]
                if p["submolt"]["id"] != newest[0]["submolt"]["id"] and p["author"]["id"] not in shown
            ),
            "",
        )
        writes = str(ROOT / "bench" / "writes.lua")
        scenarios: dict[str, tuple[list[str], dict[str, str]]] = {
            "health": ([f"{base}/health"], {}),
            "posts_hot": ([f"{base}/posts?sort=hot&limit=25"], {}),
            "comment_create": (["-s", str(ROOT / "bench" / "comment.lua"), f"{base}/posts/{post}/comments"], {}),
            "vote": (
                ["-s", writes, f"{base}/"],
                {"BENCH_KIND": "vote", "BENCH_TARGETS": str(RESULTS / "vote_posts.lst")},
            ),
            "post_create": (["-s", writes, f"{base}/"], {"BENCH_KIND": "post"}),
            "follow": (["-s", writes, f"{base}/"], {"BENCH_KIND": "follow"}),
            "subscribe": (
                ["-s", writes, f"{base}/"],
                {"BENCH_KIND": "subscribe", "BENCH_TARGETS": str(RESULTS / "submolts.lst")},
            ),
            "mixed": (["-s", writes, f"{base}/"], {"BENCH_KIND": "mixed", "BENCH_POST": post}),
            "mixed_vote": (
                ["-s", writes, f"{base}/"],
                {"BENCH_KIND": "mixed_vote", "BENCH_POST": post, "BENCH_VOTE_POST": vote_post},
            ),
        }
        chosen = sys.argv[1].split(",") if len(sys.argv) > 1 else list(scenarios)
        auth = ["-H", f"Authorization: Bearer {key}"]
        for name in chosen:
            args, extra = scenarios[name]
            wrk_env = dict(env, **extra)
            # Warm the key and read caches (mixed_vote: and the 49 voters' first-request activity
            # touch, which moves their public `last_active` and so every page embedding them).
            if name in ("health", "posts_hot", "mixed_vote"):
                subprocess.run(["wrk", "-t2", "-c32", "-d2s", *auth, *args], env=wrk_env, capture_output=True)
            pids = backends()
            builds_before = builds(PORT) if WORKERS == "1" else {}
            before = sum(cpu_seconds(p) for p in workers)
            before_db = {p: cpu_seconds(p) for p in pids}
            started = time.monotonic()
            out = subprocess.run(
                ["wrk", "-t2", "-c32", f"-d{SECONDS}s", *auth, *args], env=wrk_env, capture_output=True, text=True
            ).stdout
            elapsed = time.monotonic() - started
            spent = sum(cpu_seconds(p) for p in workers) - before
            spent_db = sum(cpu_seconds(p) - before_db.get(p, 0.0) for p in backends())
            found = re.search(r"(\d+) requests in", out)
            n = int(found.group(1)) if found else 0
            bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            print(
                f"{name:15s} requests {n:6d}  {n / elapsed:7.1f}/s  worker CPU {1000 * spent / max(n, 1):6.2f} ms"
                f"  database CPU {1000 * spent_db / max(n, 1):5.2f} ms  non-2xx {bad.group(1) if bad else 0}"
                f"  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if WORKERS == "1":  # /metrics is the one worker's: what this scenario rebuilt, by kind
                moved = {k: v - builds_before.get(k, 0) for k, v in builds(PORT).items()}
                print(f"{'':15s} read cache builds: {', '.join(f'{k} {v:.0f}' for k, v in sorted(moved.items()) if v)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    main()
